import { describe, expect, it } from "vitest";
import {
  SCP_MAX_CHARACTERS,
  ServiceControlPolicySchema,
  TagPolicySchema,
} from "../../lib/guardrails/schemas/aws.js";
import { PolicyDefinitionSchema } from "../../lib/guardrails/schemas/azure.js";
import { DenyPolicySchema } from "../../lib/guardrails/schemas/gcp.js";
import { fixture } from "./fixtures.js";

const messages = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.success ? [] : (result.error?.issues ?? []).map((issue) => issue.message);

describe("the schemas accept the clouds' published examples", () => {
  it.each([
    "aws/Protect-IAMRA-Specific-Tags.json",
    "aws/ProtectPodIdentitiesTagsOnRolesAndUsers.json",
    "aws/Deny-modifications-to-specific-IAM-roles.json",
  ])("SCP %s", (path) => {
    expect(messages(ServiceControlPolicySchema.safeParse(fixture(path)))).toEqual([]);
  });

  it("the tag policy of the Organizations guide", () => {
    expect(messages(TagPolicySchema.safeParse(fixture("aws/tag-policy-syntax-example.json")))).toEqual([]);
  });

  it.each([
    "azure/RequireTag_Deny.json",
    "azure/DenyTag.json",
    "azure/AddOrReplaceTag_Modify.json",
    "azure/NetworkPublicIPNic_Deny.json",
    "azure/NetworkSecurityGroup_RDPAccess_Audit.json",
  ])("Azure built-in %s", (path) => {
    expect(messages(PolicyDefinitionSchema.safeParse(fixture(path)))).toEqual([]);
  });

  it("Google's deny policy examples", () => {
    expect(messages(DenyPolicySchema.safeParse(fixture("gcp/deny-overview-example.json")))).toEqual([]);
    const operation = fixture("gcp/deny-access-create-response.json") as {
      response: Record<string, unknown>;
    };
    const { "@type": _any, ...policy } = operation.response;
    expect(messages(DenyPolicySchema.safeParse(policy))).toEqual([]);
  });
});

describe("the schemas refuse what the clouds refuse", () => {
  const scp = fixture("aws/Protect-IAMRA-Specific-Tags.json") as {
    Statement: Record<string, unknown>[];
  };
  const statement = scp.Statement[0] ?? {};

  it("SCP: an unknown element, a Principal, a bad Sid, no Action, an unknown operator", () => {
    const variants: [Record<string, unknown>, string][] = [
      [{ ...statement, Principal: "*" }, 'Unrecognized key: "Principal"'],
      [{ ...statement, Sid: "no-dashes" }, "a Sid has letters and digits only"],
      [{ ...statement, Action: undefined }, "a statement has exactly one of Action and NotAction"],
      [{ ...statement, Condition: { StringLikeish: { "aws:TagKeys": "x" } } }, "unknown condition operator"],
      [
        { ...statement, Condition: { "ForAnyValue:Null": { "aws:TagKeys": "true" } } },
        "unknown condition operator",
      ],
      [{ ...statement, Action: "TagRole" }, "expected service:Action or *"],
    ];
    for (const [variant, message] of variants) {
      const result = ServiceControlPolicySchema.safeParse({ ...scp, Statement: [variant] });
      expect(messages(result)).toContain(message);
    }
    expect(messages(ServiceControlPolicySchema.safeParse({ ...scp, Version: "2008-10-17" }))).not.toEqual([]);
  });

  it(`SCP: more than ${SCP_MAX_CHARACTERS} characters`, () => {
    const keys = Array.from({ length: 500 }, (_, index) => `key-${index}-*`);
    const big = {
      ...scp,
      Statement: [{ ...statement, Condition: { "ForAnyValue:StringLike": { "aws:TagKeys": keys } } }],
    };
    expect(JSON.stringify(big).length).toBeGreaterThan(SCP_MAX_CHARACTERS);
    expect(messages(ServiceControlPolicySchema.safeParse(big))).toContain(
      `more than ${SCP_MAX_CHARACTERS} characters (compact JSON), the SCP size limit`,
    );
  });

  it("tag policy: a tag key that is not its policy key", () => {
    const result = TagPolicySchema.safeParse({ tags: { costcenter: { tag_key: { "@@assign": "Owner" } } } });
    expect(messages(result)).toEqual(["the tag key must equal its policy key but for case"]);
  });

  it("Azure: a misspelt operator, two operators, an unknown effect, an unknown mode", () => {
    const definition = fixture("azure/DenyTag.json") as {
      properties: { policyRule: { if: unknown; then: unknown }; mode: string };
    };
    const withRule = (condition: unknown, effect = "deny", mode = "Indexed") => ({
      ...definition,
      properties: {
        ...definition.properties,
        mode,
        // biome-ignore lint/suspicious/noThenProperty: Azure Policy names it so
        policyRule: { if: condition, then: { effect } },
      },
    });
    const leaf = { field: "tags['x']", exists: "true" };
    expect(messages(PolicyDefinitionSchema.safeParse(withRule(leaf)))).toEqual([]);
    expect(messages(PolicyDefinitionSchema.safeParse(withRule({ field: "type", equal: "x" })))).not.toEqual(
      [],
    );
    expect(
      messages(PolicyDefinitionSchema.safeParse(withRule({ field: "type", equals: "x", notEquals: "y" }))),
    ).not.toEqual([]);
    expect(messages(PolicyDefinitionSchema.safeParse(withRule(leaf, "block")))).not.toEqual([]);
    expect(messages(PolicyDefinitionSchema.safeParse(withRule(leaf, "deny", "Some")))).not.toEqual([]);
    expect(
      messages(PolicyDefinitionSchema.safeParse(withRule({ anyOf: [leaf, { allOf: [] }] }))),
    ).not.toEqual([]);
  });

  it("GCP: a v1 permission, a v1 member, a long display name, no rules", () => {
    const policy = fixture("gcp/deny-overview-example.json") as {
      rules: { denyRule: Record<string, unknown> }[];
      displayName: string;
    };
    const rule = policy.rules[0]?.denyRule ?? {};
    const withRule = (denyRule: Record<string, unknown>) => ({ ...policy, rules: [{ denyRule }] });
    expect(
      messages(
        DenyPolicySchema.safeParse(withRule({ ...rule, deniedPermissions: ["compute.firewalls.create"] })),
      ),
    ).toEqual(["expected SERVICE_FQDN/RESOURCE.ACTION (IAM v2 form)"]);
    expect(
      messages(
        DenyPolicySchema.safeParse(withRule({ ...rule, exceptionPrincipals: ["user:a@example.com"] })),
      ),
    ).toEqual(["expected a principal:// or principalSet:// identifier"]);
    expect(messages(DenyPolicySchema.safeParse({ ...policy, displayName: "x".repeat(64) }))).not.toEqual([]);
    expect(messages(DenyPolicySchema.safeParse({ ...policy, rules: [] }))).not.toEqual([]);
  });
});
