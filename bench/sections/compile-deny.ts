import type { Policy, Rule, Ruleset } from "../../lib/policy/model.js";
import { formatCount, formatMs } from "../format.js";
import { type CompileResult, noisyRuns, runCompile } from "./compile.js";
import { defineSection } from "./section.js";

/**
 * Public ranges of the generated estate's AWS and GCP addresses (bench/estate/addresses.ts): a deny
 * from them cuts into peer sets seen by public address, so sources are split and granted by address.
 */
const BLOCKED = ["34.0.0.0/8", "54.0.0.0/8"];

/**
 * The cell's policy with deny rules in every ruleset, as a team starting with boundaries writes
 * them (docs/policy.md, "Deny rules and egress (v2)"): nothing from dev to the ruleset's scope,
 * and no SSH from some public ranges.
 */
export function withBoundaries(policy: Policy): Policy {
  const rulesets = policy.rulesets.map((ruleset): Ruleset => {
    const deny = (index: number, rule: Pick<Rule, "from" | "services">): Rule => ({
      id: `${ruleset.name}#deny-${index}`,
      ruleset: ruleset.name,
      action: "deny",
      index,
      to: { kind: "labels", selector: ruleset.scope },
      ...rule,
    });
    return {
      ...ruleset,
      deny: [
        deny(0, {
          from: { kind: "labels", selector: { env: ["dev"] }, extraScope: true },
          services: [{ protocol: "all" }],
        }),
        deny(1, {
          from: { kind: "ipList", name: "blocked", cidrs: BLOCKED },
          services: [{ protocol: "tcp", fromPort: 22, toPort: 22 }],
        }),
      ],
    };
  });
  return { ...policy, ipLists: { ...policy.ipLists, blocked: BLOCKED }, rulesets };
}

export const compileDenySection = defineSection<CompileResult>({
  name: "compile-deny",
  description:
    "full compile with two deny rules per ruleset (nothing from dev; no tcp/22 from two public /8s): the cost of subtracting them, beside `compile`",
  run: (input) => runCompile({ ...input, policy: withBoundaries(input.policy) }),
  columns: [
    { header: "destinations", cell: (r) => formatCount(r.destinations) },
    { header: "grants", cell: (r) => formatCount(r.grants) },
    { header: "split grants", cell: (r) => formatCount(r.splitGrants) },
    { header: "compile ms", cell: (r) => formatMs(r.medianMs) },
  ],
  warnings: noisyRuns,
  targets: [],
});
