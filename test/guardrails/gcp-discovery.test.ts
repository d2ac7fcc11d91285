import { describe, expect, it } from "vitest";
import { buildGuardrails } from "../../lib/guardrails/build.js";
import { resolvePrincipals } from "../../lib/guardrails/principals.js";
import { type DiscoverySchemas, discoveryErrors } from "../support/discovery-schema.js";
import { fixture, GCP_SERVICE_ACCOUNT, LABELS } from "./fixtures.js";

/** The IAM v2 discovery document's Policy schemas (SOURCES.md). */
const { schemas } = fixture("gcp/iam-v2-discovery-schemas.json") as { schemas: DiscoverySchemas };
const POLICY = { $ref: "GoogleIamV2Policy" };

describe("deny policies against the IAM v2 discovery document", () => {
  it("Google's own examples are policies (responses: output-only fields allowed)", () => {
    expect(
      discoveryErrors(schemas, POLICY, fixture("gcp/deny-overview-example.json"), { request: false }),
    ).toEqual([]);
    const operation = fixture("gcp/deny-access-create-response.json") as {
      response: Record<string, unknown>;
    };
    const { "@type": _any, ...policy } = operation.response;
    expect(discoveryErrors(schemas, POLICY, policy, { request: false })).toEqual([]);
  });

  it("segsync's deny policy is a valid createPolicy request body", () => {
    const principals = resolvePrincipals({
      gcpServiceAccount: GCP_SERVICE_ACCOUNT,
      labelWriters: ["group:platform@example.com"],
    });
    const policy = buildGuardrails(LABELS, principals).gcp?.denyPolicy;
    expect(policy).toBeDefined();
    expect(discoveryErrors(schemas, POLICY, policy, { request: true })).toEqual([]);
  });

  it("a misnamed field, a wrong type or an output-only field in a request fails (the check can fail)", () => {
    const policy = {
      kind: "DenyPolicy",
      rules: [{ denyRule: { deniedPrincipal: ["principalSet://goog/public:all"], deniedPermissions: "x" } }],
    };
    expect(discoveryErrors(schemas, POLICY, policy, { request: true })).toEqual([
      "$.kind: output only, not for a request",
      "$.rules[0].denyRule.deniedPrincipal: not a field of this schema",
      "$.rules[0].denyRule.deniedPermissions: expected array, got string",
    ]);
  });
});
