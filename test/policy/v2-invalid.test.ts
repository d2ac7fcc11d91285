/**
 * The invalid v2 policies (test/policy/invalid/v2-*): invalid-fixtures.test.ts checks each one's
 * exact lines and locations; this checks that they cover every v2 rule of docs/policy.md.
 */
import { describe, expect, it } from "vitest";
import { invalidFixtures } from "./fixtures.js";

const v2 = invalidFixtures().filter((fixture) => /\/v2-[^/]+$/.test(fixture.file));
const lines = v2.flatMap((fixture) => fixture.expectedLines);

describe("invalid v2 policies", () => {
  it("are at least 15, in YAML and JSON, each with its expected lines", () => {
    expect(v2.length).toBeGreaterThanOrEqual(15);
    expect(v2.some((fixture) => fixture.file.endsWith(".json"))).toBe(true);
    for (const fixture of v2) expect(fixture.expectedLines.length, fixture.file).toBeGreaterThan(0);
  });

  it.each([
    ["an ipList on both sides of an allow rule", /rules\[0\]\.to: ipList on both sides/],
    ["an ipList on both sides of a deny rule", /deny\[0\]\.to: ipList on both sides/],
    ["an unknown ipList in to", /to\.ipList: unknown ipList "payment-gateway" \(did you mean/],
    ["an ipList in to beside labels", /rules\[0\]\.to: ipList cannot be combined with label keys/],
    ["a list of ipLists in to", /to\.ipList: expected one ipList name, got a list/],
    ["a deny to that contradicts the scope", /deny\[0\]\.to\.env: contradicts the scope/],
    ["a deny from that contradicts the scope", /deny\[0\]\.from\.env: contradicts the scope: .* extraScope/],
    ["an extraScope deny whose to contradicts the scope", /deny\[0\]\.to\.app: contradicts the scope/],
    [
      "extraScope on a deny from an ipList",
      /deny\[0\]\.extraScope: extraScope applies to label sources only/,
    ],
    ["an empty deny list", /\.deny: must list at least one deny rule/],
    ["a repeated deny rule", /deny\[2\]: repeats deny\[0\]/],
    ["deny given twice", /\.deny: duplicate key "deny"/],
    ["deny not a list", /\.deny: expected a list, got a map/],
    ["an unknown policy egress", /:\d+:\d+ egress: expected "open" or "enforced", got "Enforced"/],
    ["an unknown ruleset egress", /rulesets\[0\]\.egress: expected "open" or "enforced", got "closed"/],
    ["a misspelt egress", /unknown key "egres" \(did you mean "egress"\?\)/],
  ])("include %s", (_, pattern) => {
    expect(lines.some((line) => pattern.test(line))).toBe(true);
  });
});
