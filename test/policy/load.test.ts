import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import {
  formatIssue,
  loadPolicyFile,
  loadPolicyText,
  type PolicyIssue,
  resolvePolicyDocument,
} from "../../lib/policy/load.js";
import { oneRuleset } from "./documents.js";
import { EXAMPLES, REPO_ROOT } from "./fixtures.js";

function issuesOf(text: string, fileName = "p.yaml"): PolicyIssue[] {
  const result = loadPolicyText(text, fileName);
  if (result.ok) throw new Error("expected issues");
  return [...result.issues];
}

const HEADER = "apiVersion: segsync/v1\nkind: Policy\n";

describe("loadPolicyText", () => {
  it("reads the YAML and JSON examples to the same policy", async () => {
    const [yaml, json] = await Promise.all(EXAMPLES.map((file) => loadPolicyFile(join(REPO_ROOT, file))));
    expect(yaml?.ok && json?.ok).toBe(true);
    expect(yaml?.ok && json?.ok && isDeepStrictEqual(yaml.policy, json.policy)).toBe(true);
  });

  it("points at the offending value", () => {
    const [issue] = issuesOf(`${HEADER}attachment: exclusiv\nrulesets: []\n`);
    expect(issue).toMatchObject({ path: "attachment", line: 3, column: 13 });
  });

  it("points at the key for an unknown key or a bad name", () => {
    const issues = issuesOf(`${HEADER}rulesets: []\nservices:\n  Web: [tcp/80]\negres: open\n`);
    expect(issues.map(({ path, line, column }) => ({ path, line, column }))).toEqual([
      { path: "services.Web", line: 5, column: 3 },
      { path: "egres", line: 6, column: 1 },
    ]);
  });

  it("points at the parent map for a missing key", () => {
    const [issue] = issuesOf(`${HEADER}rulesets:\n  - name: shop\n    scope: {}\n`);
    expect(issue).toMatchObject({
      path: "rulesets[0].rules",
      message: "required key is missing",
      line: 4,
      column: 5,
    });
  });

  it("quotes path keys that are not plain words", () => {
    const [issue] = issuesOf(`${HEADER}rulesets: []\nnetworks:\n  nat:\n    "gcp:shop-prod:prod-net": []\n`);
    expect(issue?.path).toBe('networks.nat["gcp:shop-prod:prod-net"]');
  });

  it("still checks the rest of a document with a repeated key", () => {
    const issues = issuesOf(`${HEADER}rulesets: []\nattachment: additive\nattachment: sometimes\n`);
    expect(issues.map((issue) => issue.message)).toEqual([
      'duplicate key "attachment"',
      'expected "exclusive" or "additive", got "sometimes"',
    ]);
  });

  it("stops at a syntax error, whose tree cannot be trusted", () => {
    const issues = issuesOf(`${HEADER}rulesets: [\nattachment: sometimes\n`);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("(root)");
  });

  it("follows aliases", () => {
    const text = `${HEADER}ipLists:\n  a: &nets [10.0.0.0/8]\n  b: *nets\nrulesets: []\n`;
    expect(loadPolicyText(text, "p.yaml").ok).toBe(true);
  });

  it("refuses an alias bomb", () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let level = 1; level < 8; level++) {
      const previous = String.fromCharCode(96 + level);
      const current = String.fromCharCode(97 + level);
      lines.push(`${current}: &${current} [${Array(10).fill(`*${previous}`).join(",")}]`);
    }
    const issues = issuesOf(`${lines.join("\n")}\n`);
    expect(issues[0]?.message).toMatch(/alias/i);
  });

  it("parses .json files with JSON's strict scalars", () => {
    expect(loadPolicyText('{"apiVersion": "segsync/v1", "kind": Policy, "rulesets": []}', "p.json").ok).toBe(
      false,
    );
    expect(loadPolicyText('{"apiVersion": "segsync/v1", "kind": Policy, "rulesets": []}', "p.yaml").ok).toBe(
      true,
    );
  });

  it("refuses __proto__ keys, which JS objects would silently drop", () => {
    const text = `${HEADER}rulesets:\n  - name: a\n    scope: {}\n    rules:\n      - { from: { __proto__: { role: db } }, to: {}, services: [all] }\n`;
    expect(issuesOf(text)).toEqual([
      {
        path: "rulesets[0].rules[0].from.__proto__",
        message: '"__proto__" is not allowed as a key',
        line: 7,
        column: 19,
      },
    ]);
  });

  it("sorts issues by position", () => {
    const issues = issuesOf(`${HEADER}attachment: x\negress: closed\nrulesets: 1\n`);
    expect(issues.map((issue) => issue.line)).toEqual([3, 4, 5]);
  });
});

describe("loadPolicyFile", () => {
  it("reports a missing file as an issue", async () => {
    const result = await loadPolicyFile(join(REPO_ROOT, "does-not-exist.yaml"));
    expect(result).toEqual({
      ok: false,
      issues: [{ path: "(root)", message: "cannot read the file: no such file" }],
    });
  });

  it("reports a directory as an issue", async () => {
    const result = await loadPolicyFile(mkdtempSync(join(tmpdir(), "segsync-")));
    expect(result.ok || result.issues[0]?.message).toBe("cannot read the file: it is a directory");
  });
});

describe("resolvePolicyDocument", () => {
  it("reports schema and semantic issues together, without positions", () => {
    const result = resolvePolicyDocument(
      oneRuleset({ app: "shop" }, [
        { from: { role: "web" }, to: { app: "other" }, services: ["http", "tcp/99999"] },
        { from: { ipList: "vpn" }, to: {}, services: ["all"], extra: 1 },
      ]),
    );
    expect(result).toEqual({
      ok: false,
      issues: [
        { path: "rulesets[0].rules[0].services[1]", message: 'port 99999 in "tcp/99999" is outside 1-65535' },
        {
          path: "rulesets[0].rules[1].extra",
          message: 'unknown key "extra" (allowed: from, to, services, extraScope, description)',
        },
        { path: "rulesets[0].rules[0].to.app", message: "contradicts the scope: app must be shop" },
        { path: "rulesets[0].rules[0].services[0]", message: 'unknown service "http"' },
        { path: "rulesets[0].rules[1].from.ipList", message: 'unknown ipList "vpn"' },
      ],
    });
  });

  it("accepts documents built in code", () => {
    expect(resolvePolicyDocument(oneRuleset({}, [])).ok).toBe(true);
  });

  it("explains a union failure by the form that was meant", () => {
    const result = resolvePolicyDocument(
      oneRuleset({}, [{ from: { role: 5, env: [] }, to: {}, services: ["all"] }]),
    );
    expect(result.ok || result.issues).toEqual([
      {
        path: "rulesets[0].rules[0].from.role",
        message: 'expected a label value or a non-empty list of label values, got 5 (quote it: "5")',
      },
      { path: "rulesets[0].rules[0].from.env", message: "must not be empty" },
    ]);
  });
});

describe("formatIssue", () => {
  it("writes file:line:col path: message", () => {
    expect(formatIssue("p.yaml", { path: "kind", message: "m", line: 2, column: 7 })).toBe(
      "p.yaml:2:7 kind: m",
    );
  });

  it("leaves the position out when there is none", () => {
    expect(formatIssue("p.yaml", { path: "(root)", message: "m" })).toBe("p.yaml: (root): m");
  });
});
