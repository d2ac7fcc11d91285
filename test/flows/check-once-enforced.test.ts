/**
 * Egress once enforced (docs/flows.md, "Both ends"): examples/policy-v2.yaml with shop-prod in
 * visibility, its `egress: enforced` kept, on examples/estate.yaml. Its workloads' egress is
 * checked as if the ruleset were enforced, from the intent with it enforced, and the verdicts say
 * `onceEnforced`, as a visibility destination's do.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../lib/compile/compile.js";
import { FlowCheck } from "../../lib/flows/check.js";
import { egressOnceEnforced } from "../../lib/flows/once-enforced.js";
import { suggestRules } from "../../lib/flows/suggest.js";
import { FlowVerdicts } from "../../lib/flows/verdict.js";
import { loadPolicyText } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import { REPO_ROOT } from "../policy/fixtures.js";
import { ADDRESS, type Examples, examplesFor } from "./check-support.js";

const TEXT = readFileSync(join(REPO_ROOT, "examples", "policy-v2.yaml"), "utf8");

function loaded(text: string): Policy {
  const result = loadPolicyText(text, "policy-v2.yaml");
  if (!result.ok) throw new Error(result.issues.map((issue) => issue.message).join("; "));
  return result.policy;
}

let ex: Examples;
let verdicts: FlowVerdicts;

beforeAll(async () => {
  const policy = loaded(
    TEXT.replace(
      "enforcement: enforced\n    egress: enforced",
      "enforcement: visibility\n    egress: enforced",
    ),
  );
  ex = await examplesFor(() => policy);
  const previewed = egressOnceEnforced(policy);
  if (previewed === undefined) throw new Error("shop-prod enforces egress in visibility");
  verdicts = new FlowVerdicts(ex.intent, ex.policy, compile(previewed, ex.inventory));
});

describe("egress that a visibility ruleset enforces", () => {
  it("is in no intent: the workloads' egress is open until the ruleset is enforced (anywhere holds the address)", () => {
    expect(ex.intent.egress ?? []).toEqual([]);
    expect(
      new FlowVerdicts(ex.intent, ex.policy).verdictOf(
        ex.resolved({ initiatorAddress: ADDRESS.web, responderAddress: "203.0.113.99", responderPort: 443 }),
      ),
    ).toEqual({ kind: "not-enforced" });
  });

  it("denies at the source once enforced what its rules do not open", () => {
    expect(
      verdicts.verdictOf(ex.resolved({ initiatorAddress: ADDRESS.web, responderAddress: ADDRESS.db })),
    ).toEqual({ kind: "denied", rule: null, onceEnforced: true, end: "source" });
    expect(
      verdicts.verdictOf(
        ex.resolved({ initiatorAddress: ADDRESS.web, responderAddress: "203.0.113.99", responderPort: 443 }),
      ),
    ).toEqual({ kind: "denied", rule: null, onceEnforced: true, end: "source" });
  });

  it("allows at the source once enforced what its rules open to addresses outside the estate", () => {
    expect(
      verdicts.verdictOf(
        ex.resolved({ initiatorAddress: ADDRESS.api, responderAddress: "198.51.100.7", responderPort: 443 }),
      ),
    ).toEqual({ kind: "allowed", rule: "shop-prod#3", onceEnforced: true, end: "source" });
  });

  it("leaves the destination's verdict to it once the source's egress opens it", () => {
    expect(
      verdicts.verdictOf(ex.resolved({ initiatorAddress: ADDRESS.api, responderAddress: ADDRESS.db })),
    ).toEqual({ kind: "allowed", rule: "shop-prod#1", onceEnforced: true, end: "destination" });
  });

  it("is no preview where no visibility ruleset enforces egress", () => {
    expect(egressOnceEnforced(loaded(TEXT))).toBeUndefined();
  });
});

describe("suggestions for egress once enforced", () => {
  it("go into the visibility ruleset that enforces the source's egress, not the first that scopes it", async () => {
    const text = TEXT.replace(
      "enforcement: enforced\n    egress: enforced",
      "enforcement: visibility\n    egress: enforced",
    ).replace(
      "  - name: shop-prod\n",
      "  - name: prod\n    scope: { env: prod }\n    rules: []\n  - name: shop-prod\n",
    );
    const policy = loaded(text);
    const examples = await examplesFor(() => policy);
    const previewed = egressOnceEnforced(policy);
    if (previewed === undefined) throw new Error("shop-prod enforces egress in visibility");
    const check = new FlowCheck(examples.intent, policy, compile(previewed, examples.inventory));
    check.add(
      examples.resolved({
        initiatorAddress: ADDRESS.web,
        responderAddress: "203.0.113.99",
        responderPort: 443,
      }),
    );
    const suggestions = suggestRules(policy, check.report().groups);
    expect(suggestions.rules.map((rule) => [rule.ruleset, rule.to])).toEqual([
      ["shop-prod", { ipList: "observed-from-shop-prod-us-web" }],
    ]);
  });
});
