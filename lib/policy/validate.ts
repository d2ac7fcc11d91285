/**
 * The checks that need more than one value at a time: references to services and ipLists,
 * selector keys against the declared dimensions, rules and deny rules against their ruleset's
 * scope, ipList sides (one at most per rule), tag keys, repeated ruleset names and deny rules.
 * They run on whatever parts of the document parsed (see parts.ts), next to the schema's own
 * issues.
 */
import { type DraftIssue, formatPath, type PathSegment } from "../util/source-issues.js";
import { IP_LIST_KEY, NAME_PATTERN } from "./names.js";
import type { PolicyParts, RuleParts, RulesetParts } from "./parts.js";
import { checkRepeatedDenyRules } from "./repeated-rules.js";
import type { RawRuleSource, RawRuleTarget, RawSelector } from "./schema.js";
import { scopeConflicts } from "./selectors.js";
import { isInlineServiceSyntax } from "./services.js";
import { didYouMean } from "./suggest.js";

type Issues = DraftIssue[];

export function checkPolicySemantics(parts: PolicyParts): DraftIssue[] {
  const issues: Issues = [];
  checkTagKeys(parts, issues);
  checkRulesetNames(parts.rulesets, issues);
  parts.rulesets.forEach((ruleset, index) => {
    checkRuleset(ruleset, ["rulesets", index], parts, issues);
  });
  return issues;
}

/** Each dimension is a valid key on its own; with the prefix it must still fit the clouds' limits. */
function checkTagKeys(parts: PolicyParts, issues: Issues): void {
  const { tagPrefix, dimensions } = parts;
  if (tagPrefix === undefined || dimensions === undefined) return;
  dimensions.forEach((dimension, index) => {
    const key = `${tagPrefix}${dimension}`;
    if (!NAME_PATTERN.test(key)) {
      issues.push({
        path: ["labels", "dimensions", index],
        message: `tag key "${key}" is not portable: it must match ${NAME_PATTERN.source}`,
      });
    }
  });
}

function checkRulesetNames(rulesets: readonly RulesetParts[], issues: Issues): void {
  const firstIndex = new Map<string, number>();
  rulesets.forEach((ruleset, index) => {
    if (ruleset.name === undefined) return;
    const first = firstIndex.get(ruleset.name);
    if (first === undefined) firstIndex.set(ruleset.name, index);
    else {
      issues.push({
        path: ["rulesets", index, "name"],
        message: `duplicate ruleset name "${ruleset.name}" (first used by ${formatPath(["rulesets", first])})`,
      });
    }
  });
}

function checkRuleset(ruleset: RulesetParts, path: PathSegment[], parts: PolicyParts, issues: Issues): void {
  if (ruleset.scope) checkSelectorKeys(ruleset.scope, [...path, "scope"], parts, issues);
  ruleset.rules.forEach((rule, index) => {
    if (rule) checkRule(rule, ruleset.scope, [...path, "rules", index], parts, issues);
  });
  const deny = ruleset.deny ?? [];
  deny.forEach((rule, index) => {
    if (rule) checkRule(rule, ruleset.scope, [...path, "deny", index], parts, issues);
  });
  checkRepeatedDenyRules(deny, [...path, "deny"], issues);
}

function checkRule(
  rule: RuleParts,
  scope: RawSelector | undefined,
  path: PathSegment[],
  parts: PolicyParts,
  issues: Issues,
): void {
  if (rule.to && isIpListEnd(rule.to)) checkIpListEnd(rule, "to", path, parts, issues);
  else if (rule.to) {
    const to = rule.to as RawSelector;
    checkSelectorKeys(to, [...path, "to"], parts, issues);
    if (scope) checkAgainstScope(to, scope, [...path, "to"], parts, issues);
  }
  if (rule.from && isIpListEnd(rule.from)) checkIpListEnd(rule, "from", path, parts, issues);
  else if (rule.from) {
    const from = rule.from as RawSelector;
    checkSelectorKeys(from, [...path, "from"], parts, issues);
    // Only a source known to be intra-scope can contradict the scope.
    if (scope && rule.extraScope === false) checkAgainstScope(from, scope, [...path, "from"], parts, issues);
  }
  if (rule.from && rule.to && isIpListEnd(rule.from) && isIpListEnd(rule.to)) {
    issues.push({
      path: [...path, "to"],
      message: `${IP_LIST_KEY} on both sides: a rule joins workloads to addresses, so from or to must be a label selector`,
    });
  }
  checkServiceReferences(rule, path, parts, issues);
}

function checkSelectorKeys(
  selector: RawSelector,
  path: PathSegment[],
  parts: PolicyParts,
  issues: Issues,
): void {
  const { dimensions } = parts;
  if (dimensions === undefined) return;
  for (const key of Object.keys(selector)) {
    if (dimensions.includes(key)) continue;
    const message =
      key === IP_LIST_KEY
        ? `${IP_LIST_KEY} is only allowed in from and to`
        : `"${key}" is not a declared dimension (declared: ${dimensions.join(", ")})`;
    issues.push({ path: [...path, key], message, target: "key" });
  }
}

function checkAgainstScope(
  selector: RawSelector,
  scope: RawSelector,
  path: PathSegment[],
  parts: PolicyParts,
  issues: Issues,
): void {
  for (const { dimension, scopeValues } of scopeConflicts(selector, scope)) {
    // An undeclared dimension is already reported; its values say nothing more.
    if (parts.dimensions && !parts.dimensions.includes(dimension)) continue;
    const allowed = scopeValues.length === 1 ? scopeValues[0] : `one of ${scopeValues.join(", ")}`;
    // A source outside the scope is usually meant to come from anywhere.
    const remedy = path.at(-1) === "from" ? " (or set extraScope: true)" : "";
    issues.push({
      path: [...path, dimension],
      message: `contradicts the scope: ${dimension} must be ${allowed}${remedy}`,
    });
  }
}

function isIpListEnd(end: RawRuleSource | RawRuleTarget): boolean {
  return Object.hasOwn(end, IP_LIST_KEY);
}

function checkIpListEnd(
  rule: RuleParts,
  side: "from" | "to",
  path: PathSegment[],
  parts: PolicyParts,
  issues: Issues,
): void {
  const end = rule[side] as Readonly<Record<string, unknown>>;
  const labelKeys = Object.keys(end).filter((key) => key !== IP_LIST_KEY);
  if (labelKeys.length > 0) {
    issues.push({
      path: [...path, side],
      message: `${IP_LIST_KEY} cannot be combined with label keys (${labelKeys.join(", ")})`,
    });
  }
  const name = end[IP_LIST_KEY];
  const namePath = [...path, side, IP_LIST_KEY];
  if (typeof name !== "string") {
    issues.push({ path: namePath, message: "expected one ipList name, got a list" });
  } else if (parts.ipListNames && !parts.ipListNames.has(name)) {
    issues.push({
      path: namePath,
      message: `unknown ipList "${name}"${didYouMean(name, parts.ipListNames)}`,
    });
  }
  if (side === "from" && rule.extraScope === true) {
    issues.push({
      path: [...path, "extraScope"],
      message: "extraScope applies to label sources only, not to an ipList",
    });
  }
}

function checkServiceReferences(
  rule: RuleParts,
  path: PathSegment[],
  parts: PolicyParts,
  issues: Issues,
): void {
  const declared = parts.serviceNames;
  if (!declared || !rule.services) return;
  rule.services.forEach((entry, index) => {
    if (entry === undefined || isInlineServiceSyntax(entry) || declared.has(entry)) return;
    issues.push({
      path: [...path, "services", index],
      message: `unknown service "${entry}"${didYouMean(entry, declared)}`,
    });
  });
}
