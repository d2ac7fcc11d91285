import { describe, expect, it } from "vitest";
import { buildGuardrails } from "../../lib/guardrails/build.js";
import { resolvePrincipals } from "../../lib/guardrails/principals.js";
import { SchemaSet } from "../support/json-schema-draft4.js";
import { AZURE_PRINCIPAL, fixture, LABELS } from "./fixtures.js";

/** Microsoft's JSON schema of a policy rule (Azure/azure-resource-manager-schemas, SOURCES.md). */
const POLICY_RULE = "https://schema.management.azure.com/schemas/2020-10-01/policyDefinition.json";
const schemas = new SchemaSet([
  fixture("azure/schemas/policyDefinition.json") as Record<string, unknown>,
  fixture("azure/schemas/definitions.json") as Record<string, unknown>,
]);

const ruleOf = (path: string) =>
  (fixture(path) as { properties: { policyRule: unknown } }).properties.policyRule;

describe("policy rules against Microsoft's policy rule schema", () => {
  it.each([
    "azure/RequireTag_Deny.json",
    "azure/DenyTag.json",
    "azure/AddOrReplaceTag_Modify.json",
    "azure/NetworkPublicIPNic_Deny.json",
    "azure/NetworkSecurityGroup_RDPAccess_Audit.json",
  ])("the built-in %s passes (the validator reads the schema right)", (path) => {
    expect(schemas.errors(POLICY_RULE, ruleOf(path))).toEqual([]);
  });

  it("segsync's definition passes", () => {
    const principals = resolvePrincipals({ azurePrincipalId: AZURE_PRINCIPAL });
    const definition = buildGuardrails(LABELS, principals, { azureResourceGroups: ["rg-segsync"] }).azure
      ?.policyDefinition;
    expect(definition).toBeDefined();
    expect(schemas.errors(POLICY_RULE, definition?.properties.policyRule)).toEqual([]);
  });

  it("a rule with a misspelt operator or an unknown effect fails (the check can fail)", () => {
    const rule = ruleOf("azure/DenyTag.json") as {
      if: Record<string, unknown>;
      then: Record<string, unknown>;
    };
    expect(schemas.errors(POLICY_RULE, { ...rule, if: { field: "type", equal: "x" } })).not.toEqual([]);
    // biome-ignore lint/suspicious/noThenProperty: Azure Policy names it so
    expect(schemas.errors(POLICY_RULE, { ...rule, then: { effect: "block" } })).not.toEqual([]);
  });
});
