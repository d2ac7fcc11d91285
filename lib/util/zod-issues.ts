/**
 * Turns zod's issues into short, consistent document issues (policy, estate, scenario): one per
 * unknown key, record-key problems placed on the key, and union failures explained by the
 * alternative that the value was evidently meant to be.
 */
import type { z } from "zod";
import { closestName } from "../policy/suggest.js";
import type { DraftIssue, PathSegment } from "./source-issues.js";

type ZodIssue = z.core.$ZodIssue;

const EXPECTED_NAMES: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  boolean: "true or false",
  array: "a list",
  object: "a map",
  record: "a map",
};

/** How a value reads in a message: scalars as written, collections by kind. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  return JSON.stringify(value);
}

/** For a number or boolean where text was expected: YAML read `env: 2024` as a number. */
export function quotingHint(value: unknown): string {
  return typeof value === "number" || typeof value === "boolean" ? ` (quote it: "${value}")` : "";
}

function oneOf(values: readonly unknown[]): string {
  const quoted = values.map((value) => JSON.stringify(value));
  if (quoted.length === 1) return quoted[0] ?? "";
  if (quoted.length === 2) return `${quoted[0]} or ${quoted[1]}`;
  return `one of ${quoted.join(", ")}`;
}

/** The keys an object schema allows, read from the schema that raised the issue. */
function allowedKeys(inst: unknown): string[] {
  const def = (inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def;
  return Object.keys(def?.shape ?? {});
}

/**
 * Messages for the issues that the schema does not word itself; passed to every parse so that
 * zod's global configuration, which other modules share, is left alone.
 */
export const documentErrorMap: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case "invalid_type":
    case "invalid_union":
      if (iss.input === undefined) return "required key is missing";
      if (iss.code === "invalid_union") return `unexpected value ${describeValue(iss.input)}`;
      return `expected ${EXPECTED_NAMES[iss.expected] ?? iss.expected}, got ${describeValue(iss.input)}${
        iss.expected === "string" ? quotingHint(iss.input) : ""
      }`;
    case "too_small":
      return iss.origin === "array" && Number(iss.minimum) <= 1
        ? "must not be empty"
        : `needs at least ${iss.minimum} entries`;
    case "invalid_value":
      return `expected ${oneOf(iss.values)}, got ${describeValue(iss.input)}`;
    case "unrecognized_keys":
      // Carries the allowed keys to draftIssuesFromZod, which writes one issue per unknown key.
      return allowedKeys(iss.inst).join(", ");
    default:
      return undefined;
  }
};

function toSegments(path: readonly PropertyKey[]): PathSegment[] {
  return path.map((segment) => (typeof segment === "symbol" ? segment.toString() : segment));
}

/** A branch whose value has the wrong type at its root was not what the user meant. */
function isRootTypeMismatch(issue: ZodIssue): boolean {
  return issue.path.length === 0 && (issue.code === "invalid_type" || issue.code === "invalid_union");
}

/** Unknown and missing keys say that the value has another shape than the branch. */
function shapeMismatches(issues: readonly ZodIssue[]): number {
  let count = 0;
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") count += issue.keys.length;
    else if (issue.code === "invalid_type" && issue.input === undefined) count += 1;
  }
  return count;
}

/**
 * The union branch to explain a failure by: among branches whose type matched, the one with the
 * fewest shape mismatches, then the fewest issues, then the first. None when no type matched.
 */
function likelyBranch(branches: readonly (readonly ZodIssue[])[]): readonly ZodIssue[] | undefined {
  let best: readonly ZodIssue[] | undefined;
  for (const branch of branches) {
    if (branch.some(isRootTypeMismatch)) continue;
    if (
      best === undefined ||
      shapeMismatches(branch) < shapeMismatches(best) ||
      (shapeMismatches(branch) === shapeMismatches(best) && branch.length < best.length)
    ) {
      best = branch;
    }
  }
  return best;
}

/** A near miss gets the key it was meant to be; anything else, the keys the map takes. */
function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  if (allowed.length === 0) return `unknown key "${key}": this map takes no keys`;
  const closest = closestName(key, allowed);
  return closest === undefined
    ? `unknown key "${key}" (allowed: ${allowed.join(", ")})`
    : `unknown key "${key}" (did you mean "${closest}"?)`;
}

export function draftIssuesFromZod(
  issues: readonly ZodIssue[],
  base: readonly PathSegment[] = [],
): DraftIssue[] {
  const drafts: DraftIssue[] = [];
  for (const issue of issues) {
    const path = [...base, ...toSegments(issue.path)];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        drafts.push({
          path: [...path, key],
          message: unknownKeyMessage(key, issue.message === "" ? [] : issue.message.split(", ")),
          target: "key",
        });
      }
    } else if (issue.code === "invalid_key") {
      for (const inner of issue.issues) drafts.push({ path, message: inner.message, target: "key" });
    } else if (issue.code === "invalid_union") {
      const branch = likelyBranch(issue.errors);
      if (branch) drafts.push(...draftIssuesFromZod(branch, path));
      else drafts.push({ path, message: issue.message });
    } else {
      drafts.push({ path, message: issue.message });
    }
  }
  return drafts;
}
