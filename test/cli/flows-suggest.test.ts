/** `segsync flows suggest` on the AWS samples and a small estate holding their addresses (test/fixtures/flows/check/). */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { flowsCheck, flowsSuggest } from "../../cli/commands/flows.js";
import { validateFiles } from "../../cli/commands/validate.js";
import { REPO_ROOT } from "../policy/fixtures.js";

const fixture = (path: string) => join(REPO_ROOT, "test", "fixtures", "flows", path);
const POLICY = fixture("check/policy.yaml");
const ESTATE = fixture("check/estate.yaml");
const LOGS = [fixture("aws/default-v2.log"), fixture("aws/tcp-flags-v3.log")];
const NEW_RULE = [
  "        services: [tcp/5001]",
  "      # observed: 1 connection, first 2014-12-14T04:06:50.000Z, last 2014-12-14T04:07:50.000Z",
  "      - from: { role: web }",
  "        to: { role: db }",
  "        services: [tcp/22]",
  "  - name: ops",
].join("\n");

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (text: string) => out.push(text), err: (text: string) => err.push(text) },
    out: () => out.join(""),
    err: () => err.join(""),
  };
}

describe("segsync flows suggest", () => {
  it("prints the whole policy with the rule merged, which validate accepts and flows check passes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "segsync-suggest-"));
    const out = join(dir, "policy.yaml");
    const run = capture();
    expect(await flowsSuggest(LOGS, { policy: POLICY, estate: ESTATE, out }, run.io)).toBe(0);
    expect(run.out()).toBe(`${out}: 1 rule and 0 ipLists suggested\n`);
    expect(run.err()).toBe("");
    const merged = readFileSync(out, "utf8");
    expect(merged).toContain(NEW_RULE);
    expect(merged.replace(NEW_RULE, "        services: [tcp/5001]\n  - name: ops")).toBe(
      readFileSync(POLICY, "utf8"),
    );
    const validate = capture();
    expect(await validateFiles([out], validate.io)).toBe(0);
    const check = capture();
    expect(await flowsCheck(LOGS, { policy: out, estate: ESTATE }, check.io)).toBe(0);
  });

  it("on stdout without --out; --fragment prints only the new rules", async () => {
    const whole = capture();
    expect(await flowsSuggest(LOGS, { policy: POLICY, estate: ESTATE }, whole.io)).toBe(0);
    expect(whole.out()).toContain(NEW_RULE);
    const fragment = capture();
    expect(await flowsSuggest(LOGS, { policy: POLICY, estate: ESTATE, fragment: true }, fragment.io)).toBe(0);
    expect(fragment.out()).toBe(
      [
        "rulesets:",
        "  - name: shop-prod",
        "    rules:",
        "      # observed: 1 connection, first 2014-12-14T04:06:50.000Z, last 2014-12-14T04:07:50.000Z",
        "      - from: { role: web }",
        "        to: { role: db }",
        "        services: [tcp/22]",
        "",
      ].join("\n"),
    );
  });

  it("exits 1 on a log that is not there, and on an --out it cannot write", async () => {
    const missing = capture();
    expect(
      await flowsSuggest([fixture("aws/nothing.log")], { policy: POLICY, estate: ESTATE }, missing.io),
    ).toBe(1);
    expect(missing.err()).toMatch(/^segsync flows suggest: /);
    const unwritable = capture();
    const out = join(REPO_ROOT, "no-such-dir", "policy.yaml");
    expect(await flowsSuggest(LOGS, { policy: POLICY, estate: ESTATE, out }, unwritable.io)).toBe(1);
    expect(unwritable.err()).toMatch(/cannot write .*no such directory/);
  });
});
