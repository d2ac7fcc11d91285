/** The README's policy v2 snippet ("Deny rules and egress") is a valid policy, as it says. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPolicyText } from "../../lib/policy/load.js";
import { REPO_ROOT } from "../sim/fixtures.js";

describe("README, Deny rules and egress", () => {
  it("shows a policy that validates, with deny rules, a rule to an ipList and enforced egress", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("\n## Deny rules and egress\n"));
    const snippet = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    if (snippet === undefined) throw new Error("the section has a yaml snippet");
    const loaded = loadPolicyText(`apiVersion: segsync/v1\nkind: Policy\n${snippet}`, "README.md");
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    expect(loaded.warnings).toEqual([]);
    const [boundaries, shop] = loaded.policy.rulesets;
    expect(boundaries?.deny.map((rule) => rule.id)).toEqual(["dev-boundaries#deny-0"]);
    expect(shop?.egress).toBe("enforced");
    expect(shop?.rules.some((rule) => rule.to.kind === "ipList")).toBe(true);
  });
});
