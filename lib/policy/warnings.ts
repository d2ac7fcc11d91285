/**
 * What a valid policy says that has no effect, for `segsync validate` to point at (with its line
 * and column) without refusing the policy.
 */
import type { DraftIssue } from "../util/source-issues.js";
import type { RawPolicy } from "./schema.js";

/**
 * `egress: enforced` on a visibility ruleset: egress is enforced only by enforced rulesets
 * (docs/policy.md, "Deny rules and egress (v2)"). Allowed, so that a ruleset is previewed with
 * the egress it will be enforced with and switching `enforcement` is the only edit.
 */
export function policyWarnings(policy: RawPolicy): DraftIssue[] {
  const warnings: DraftIssue[] = [];
  policy.rulesets.forEach((ruleset, index) => {
    if (ruleset.enforcement === "visibility" && ruleset.egress === "enforced") {
      warnings.push({
        path: ["rulesets", index, "egress"],
        message:
          "egress: enforced has no effect on a visibility ruleset: its workloads' egress stays open until enforcement is enforced",
      });
    }
  });
  return warnings;
}
