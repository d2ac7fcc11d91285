/**
 * Workload and network ids (docs/architecture.md, "Vocabulary"), checked part by part against each
 * cloud's own naming rules (ASCII only), so that a malformed id is caught where it enters rather
 * than silently never matching anything. Each cloud's forms are in its lib/clouds/<cloud>/ids.ts:
 *   workload  <cloud>:<parts of its workload form>   (aws:<account>:<region>:<instanceId>, …)
 *   network   <cloud>:<parts of its network form>    (aws:<account>:<region>:<vpcId>, …)
 * No part can contain `:`, so splitting on it is unambiguous.
 */
import { z } from "zod";
import type { CloudIdFormat, IdPart, IdPartsOf } from "../clouds/common/id-format.js";
import { CLOUD_ENTRIES } from "../clouds/names.js";
import { InvalidIdError } from "./errors.js";
import { CLOUDS, type Cloud, type NetworkId, type WorkloadId } from "./model.js";

type IdFormatOf<C extends Cloud> = Extract<(typeof CLOUD_ENTRIES)[number]["ids"], { readonly cloud: C }>;

/** A workload id's parts: one exact object type per cloud, told apart by `cloud`. */
export type WorkloadIdParts = { [C in Cloud]: IdPartsOf<C, IdFormatOf<C>["workload"]> }[Cloud];

/** A network id's parts: one exact object type per cloud, told apart by `cloud`. */
export type NetworkIdParts = { [C in Cloud]: IdPartsOf<C, IdFormatOf<C>["network"]> }[Cloud];

export type IdKind = "workload" | "network";

const FORMATS: ReadonlyMap<string, CloudIdFormat> = new Map(CLOUD_ENTRIES.map(({ ids }) => [ids.cloud, ids]));

/** The parts of `cloud`'s workload or network ids, in order. */
function partsOf(cloud: Cloud, kind: IdKind): readonly IdPart[] {
  return FORMATS.get(cloud)?.[kind] ?? [];
}

type ParseResult = { ok: true; parts: Record<string, string> } | { ok: false; message: string };

function expectedForm(cloud: Cloud, kind: IdKind): string {
  return [cloud, ...partsOf(cloud, kind).map((part) => `<${part.key}>`)].join(":");
}

/** Each cloud's form of a workload or network id, in the order of CLOUDS: `aws:<account>:<region>:<vpcId>`, … */
export function idForms(kind: IdKind): readonly string[] {
  return CLOUDS.map((cloud) => expectedForm(cloud, kind));
}

function parseWith(text: string, kind: IdKind): ParseResult {
  const [prefix, ...values] = text.split(":");
  if (!isCloud(prefix)) {
    const all = idForms(kind).join(", ");
    return { ok: false, message: `"${text}" is not a ${kind} id: expected one of ${all}` };
  }
  const rules = partsOf(prefix, kind);
  const form = expectedForm(prefix, kind);
  if (values.length !== rules.length) {
    return { ok: false, message: `"${text}" is not a valid ${prefix} ${kind} id: expected ${form}` };
  }
  const parts: Record<string, string> = { cloud: prefix };
  for (const [index, rule] of rules.entries()) {
    const value = values[index] ?? "";
    if (!rule.pattern.test(value)) {
      return {
        ok: false,
        message: `"${text}" is not a valid ${prefix} ${kind} id (${form}): ${rule.key} "${value}" must be ${rule.rule}`,
      };
    }
    parts[rule.key] = value;
  }
  return { ok: true, parts };
}

function formatWith(parts: { readonly cloud: Cloud }, kind: IdKind): string {
  // The parts types are derived from the forms key for key; read them by key to join in order.
  const byKey = parts as unknown as Readonly<Record<string, unknown>>;
  const rules = partsOf(parts.cloud, kind);
  const text = [parts.cloud, ...rules.map((rule) => String(byKey[rule.key]))].join(":");
  const parsed = parseWith(text, kind);
  if (!parsed.ok) throw new InvalidIdError(text, parsed.message);
  return text;
}

export function isCloud(text: string | undefined): text is Cloud {
  return (CLOUDS as readonly (string | undefined)[]).includes(text);
}

/** The cloud of a workload or network id, from its prefix alone (cheap; does not check the rest). */
export function cloudOfId(id: WorkloadId | NetworkId): Cloud {
  const prefix = id.slice(0, id.indexOf(":"));
  if (!isCloud(prefix)) {
    throw new InvalidIdError(id, `"${id}" is not an id: it must start with ${CLOUDS.join(":, ")}:`);
  }
  return prefix;
}

/** Why `text` is not a workload id, or undefined when it is one. */
export function workloadIdProblem(text: string): string | undefined {
  const parsed = parseWith(text, "workload");
  return parsed.ok ? undefined : parsed.message;
}

/** Why `text` is not a network id, or undefined when it is one. */
export function networkIdProblem(text: string): string | undefined {
  const parsed = parseWith(text, "network");
  return parsed.ok ? undefined : parsed.message;
}

export function isWorkloadId(text: string): boolean {
  return parseWith(text, "workload").ok;
}

export function isNetworkId(text: string): boolean {
  return parseWith(text, "network").ok;
}

/** Splits a workload id into its cloud's parts; throws InvalidIdError naming the first bad part. */
export function parseWorkloadId(text: string): WorkloadIdParts {
  const parsed = parseWith(text, "workload");
  if (!parsed.ok) throw new InvalidIdError(text, parsed.message);
  return parsed.parts as unknown as WorkloadIdParts;
}

/** Splits a network id into its cloud's parts; throws InvalidIdError naming the first bad part. */
export function parseNetworkId(text: string): NetworkIdParts {
  const parsed = parseWith(text, "network");
  if (!parsed.ok) throw new InvalidIdError(text, parsed.message);
  return parsed.parts as unknown as NetworkIdParts;
}

/** Builds a workload id; throws InvalidIdError when a part breaks its cloud's naming rules. */
export function formatWorkloadId(parts: WorkloadIdParts): WorkloadId {
  return formatWith(parts, "workload");
}

/** Builds a network id; throws InvalidIdError when a part breaks its cloud's naming rules. */
export function formatNetworkId(parts: NetworkIdParts): NetworkId {
  return formatWith(parts, "network");
}

export const WorkloadIdSchema = z.string().superRefine((text, ctx) => {
  const problem = workloadIdProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

export const NetworkIdSchema = z.string().superRefine((text, ctx) => {
  const problem = networkIdProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});
