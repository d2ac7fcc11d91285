import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { POLICY_SCHEMA_ID, policyJsonSchemaText } from "../../lib/policy/json-schema.js";
import { EXAMPLES, REPO_ROOT } from "./fixtures.js";
import { jsonSchemaErrors } from "./json-schema-subset.js";

const committedText = readFileSync(join(REPO_ROOT, "schema", "policy.schema.json"), "utf8");
const committed = JSON.parse(committedText) as Record<string, unknown>;

describe("schema/policy.schema.json", () => {
  it("is what `npm run schema` writes from the zod schema (run it if this fails)", () => {
    expect(committedText).toBe(policyJsonSchemaText());
  });

  it("has an id and a title", () => {
    expect(committed).toMatchObject({ $id: POLICY_SCHEMA_ID, title: expect.stringContaining("segsync") });
  });

  it.each([...EXAMPLES, "examples/policy-v2.yaml"])("accepts %s", (file) => {
    const document = parse(readFileSync(join(REPO_ROOT, file), "utf8"));
    expect(jsonSchemaErrors(committed, document)).toEqual([]);
  });

  it("knows the v2 additions: deny rules, to an ipList, egress", () => {
    const base = { apiVersion: "segsync/v1", kind: "Policy" };
    const rule = { from: { role: "api" }, to: { ipList: "gw" }, services: ["tcp/443"] };
    const ruleset = (fields: Record<string, unknown>) => ({
      ...base,
      rulesets: [{ name: "a", scope: {}, rules: [rule], ...fields }],
    });
    expect(jsonSchemaErrors(committed, ruleset({ egress: "enforced", deny: [rule] }))).toEqual([]);
    expect(jsonSchemaErrors(committed, { ...base, egress: "enforced", rulesets: [] })).toEqual([]);
    expect(jsonSchemaErrors(committed, ruleset({ egress: "closed" }))).not.toEqual([]);
    expect(jsonSchemaErrors(committed, ruleset({ deny: [] }))).not.toEqual([]);
    expect(jsonSchemaErrors(committed, ruleset({ deny: [{ ...rule, action: "deny" }] }))).not.toEqual([]);
  });

  it("rejects what editors should flag", () => {
    const base = { apiVersion: "segsync/v1", kind: "Policy", rulesets: [] };
    expect(jsonSchemaErrors(committed, { ...base, egress: "closed" })).not.toEqual([]);
    expect(jsonSchemaErrors(committed, { ...base, extra: 1 })).not.toEqual([]);
    expect(jsonSchemaErrors(committed, { kind: "Policy", rulesets: [] })).not.toEqual([]);
    expect(jsonSchemaErrors(committed, { ...base, services: { Web: ["tcp/80"] } })).not.toEqual([]);
    expect(
      jsonSchemaErrors(committed, { ...base, networks: { connected: [["gcp:shop-prod:prod-net"]] } }),
    ).not.toEqual([]);
    const rule = { from: { role: "Web" }, to: {}, services: ["tcp/80"] };
    expect(
      jsonSchemaErrors(committed, { ...base, rulesets: [{ name: "a", scope: {}, rules: [rule] }] }),
    ).not.toEqual([]);
  });
});
