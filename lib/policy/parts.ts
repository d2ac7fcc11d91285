/**
 * The parts of a policy document that semantic checks need, each present only if it parsed on
 * its own. A document with schema errors still gets every semantic check that its sound parts
 * allow, so that all problems are reported at once; a part that did not parse is skipped rather
 * than guessed at, so one mistake is not reported twice.
 */
import type { z } from "zod";
import {
  labelsSchema,
  type RawPolicy,
  type RawRuleSource,
  type RawRuleTarget,
  type RawSelector,
  ruleSchema,
  rulesetSchema,
} from "./schema.js";

export interface RuleParts {
  readonly from?: RawRuleSource;
  readonly to?: RawRuleTarget;
  /** Per entry; an entry that is not a well-formed service string is undefined. */
  readonly services?: readonly (string | undefined)[];
  readonly extraScope?: boolean;
}

export interface RulesetParts {
  readonly name?: string;
  readonly scope?: RawSelector;
  /** Per rule; a rule that is not a map is undefined. */
  readonly rules: readonly (RuleParts | undefined)[];
  /** The deny rules (v2), likewise; empty when there are none. */
  readonly deny?: readonly (RuleParts | undefined)[];
}

export interface PolicyParts {
  readonly tagPrefix?: string;
  readonly dimensions?: readonly string[];
  /** Declared names, whether or not their definitions are valid; undefined when `services` is not a map. */
  readonly serviceNames?: ReadonlySet<string>;
  readonly ipListNames?: ReadonlySet<string>;
  readonly rulesets: readonly RulesetParts[];
}

type PlainMap = Readonly<Record<string, unknown>>;

function asMap(value: unknown): PlainMap | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as PlainMap)
    : undefined;
}

function parsed<S extends z.ZodType>(schema: S, value: unknown): z.output<S> | undefined {
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

/**
 * The keys of a map that may be absent (then it declares nothing). A key that fails the name
 * pattern still counts as declared, so that its uses are not also reported as unknown.
 */
function declaredNames(value: unknown): ReadonlySet<string> | undefined {
  if (value === undefined) return new Set();
  const map = asMap(value);
  return map ? new Set(Object.keys(map)) : undefined;
}

function ruleParts(value: unknown): RuleParts | undefined {
  const rule = asMap(value);
  if (!rule) return undefined;
  const shape = ruleSchema.shape;
  const services = Array.isArray(rule.services)
    ? rule.services.map((entry: unknown) => parsed(shape.services.element, entry))
    : undefined;
  // With an unknown key (a misspelt `extrascope`?), the default false is a guess: leave it unknown.
  const hasUnknownKey = Object.keys(rule).some((key) => !Object.hasOwn(shape, key));
  return {
    from: parsed(shape.from, rule.from),
    to: parsed(shape.to, rule.to),
    services,
    extraScope: hasUnknownKey ? undefined : parsed(shape.extraScope, rule.extraScope),
  };
}

function rulesetParts(value: unknown): RulesetParts {
  const ruleset = asMap(value) ?? {};
  const shape = rulesetSchema.shape;
  return {
    name: parsed(shape.name, ruleset.name),
    scope: parsed(shape.scope, ruleset.scope),
    rules: Array.isArray(ruleset.rules) ? ruleset.rules.map(ruleParts) : [],
    deny: Array.isArray(ruleset.deny) ? ruleset.deny.map(ruleParts) : [],
  };
}

/** The parts of a document that failed the schema somewhere. */
export function partsOfRawDocument(document: unknown): PolicyParts {
  const root = asMap(document) ?? {};
  const labels = root.labels === undefined ? {} : asMap(root.labels);
  return {
    tagPrefix: labels && parsed(labelsSchema.shape.tagPrefix, labels.tagPrefix),
    dimensions: labels && parsed(labelsSchema.shape.dimensions, labels.dimensions),
    serviceNames: declaredNames(root.services),
    ipListNames: declaredNames(root.ipLists),
    rulesets: Array.isArray(root.rulesets) ? root.rulesets.map(rulesetParts) : [],
  };
}

/** The parts of a document that passed the schema: all of it. */
export function partsOfPolicy(policy: RawPolicy): PolicyParts {
  return {
    tagPrefix: policy.labels.tagPrefix,
    dimensions: policy.labels.dimensions,
    serviceNames: new Set(Object.keys(policy.services)),
    ipListNames: new Set(Object.keys(policy.ipLists)),
    rulesets: policy.rulesets,
  };
}
