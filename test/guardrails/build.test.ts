import { describe, expect, it } from "vitest";
import * as awsOwnership from "../../lib/clouds/aws/ownership.js";
import * as awsKeys from "../../lib/clouds/aws/ownership-keys.js";
import * as azureOwnership from "../../lib/clouds/azure/ownership.js";
import * as azureKeys from "../../lib/clouds/azure/ownership-keys.js";
import * as gcpOwnership from "../../lib/clouds/gcp/ownership.js";
import * as gcpKeys from "../../lib/clouds/gcp/ownership-keys.js";
import { OWNED_OBJECT_ACTIONS, TAGGING_ACTIONS } from "../../lib/guardrails/aws.js";
import { buildGuardrails } from "../../lib/guardrails/build.js";
import { GuardrailDocumentError, GuardrailInputError } from "../../lib/guardrails/errors.js";
import { labelKeyPatterns, OWNERSHIP_KEYS, reservedKeys } from "../../lib/guardrails/keys.js";
import { resolvePrincipals } from "../../lib/guardrails/principals.js";
import { CLOUDS, type Cloud } from "../../lib/inventory/model.js";
import { AZURE_PRINCIPAL, GCP_SEGSYNC, GCP_SERVICE_ACCOUNT, LABELS, SEGSYNC_ROLE } from "./fixtures.js";

const ALL = resolvePrincipals({
  awsRoles: [SEGSYNC_ROLE],
  azurePrincipalId: AZURE_PRINCIPAL,
  gcpServiceAccount: GCP_SERVICE_ACCOUNT,
});

/** The tag keys a module exports (`*_TAG_KEY`): what the provider writes. */
function tagKeysOf(module: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(module)
    .filter(([name, value]) => name.endsWith("_TAG_KEY") && typeof value === "string")
    .map(([, value]) => value as string);
}

/** Every tag key each cloud's provider writes, read from its ownership-keys.ts. */
const WRITTEN: Readonly<Record<Cloud, readonly string[]>> = {
  aws: [awsKeys.OWNERSHIP_TAG.Key, ...tagKeysOf(awsKeys)],
  azure: tagKeysOf(azureKeys),
  gcp: tagKeysOf(gcpKeys),
};

describe("the reserved keys", () => {
  it.each(CLOUDS)("every %s tag key segsync writes is reserved, each once", (cloud) => {
    expect([...reservedKeys(cloud)].sort()).toEqual([...WRITTEN[cloud]].sort());
    expect(new Set(reservedKeys(cloud)).size).toBe(reservedKeys(cloud).length);
  });

  it("the keys live in ownership-keys.ts only, where the registry reaches them", () => {
    for (const module of [awsOwnership, azureOwnership, gcpOwnership]) expect(tagKeysOf(module)).toEqual([]);
  });

  it("every AWS key is under the SCP's reserved prefix; the ownership tag is an owned key", () => {
    for (const key of reservedKeys("aws")) expect(key.startsWith(OWNERSHIP_KEYS.aws.prefix)).toBe(true);
    expect(OWNERSHIP_KEYS.aws.owned[0]).toBe(OWNERSHIP_KEYS.aws.ownershipTag.Key);
  });

  it("labels: <tagPrefix>* covers later dimensions; without a prefix, the keys themselves", () => {
    expect(labelKeyPatterns(LABELS)).toEqual(["seg-*"]);
    expect(labelKeyPatterns({ tagPrefix: "", dimensions: ["role", "app"] })).toEqual(["app", "role"]);
  });
});

describe("buildGuardrails: AWS", () => {
  const writers = resolvePrincipals({
    awsRoles: [SEGSYNC_ROLE, "segsync-*"],
    labelWriters: ["arn:aws:iam::111111111111:role/provisioner"],
  });
  const { aws } = buildGuardrails(LABELS, writers);
  const statements = aws?.serviceControlPolicy.Statement ?? [];
  const bySid = (sid: string) => statements.find((statement) => statement.Sid === sid);

  it("denies segsync:* tag keys on every tagging call, but to segsync's roles", () => {
    expect(bySid("SegsyncTagKeysOnlyBySegsync")).toEqual({
      Sid: "SegsyncTagKeysOnlyBySegsync",
      Effect: "Deny",
      Action: [...TAGGING_ACTIONS],
      Resource: "*",
      Condition: {
        "ForAnyValue:StringLike": { "aws:TagKeys": ["segsync:*"] },
        ArnNotLike: { "aws:PrincipalArn": [SEGSYNC_ROLE, "arn:*:iam::*:role/segsync-*"] },
      },
    });
    expect(TAGGING_ACTIONS).toEqual(
      expect.arrayContaining([
        "ec2:CreateTags",
        "ec2:DeleteTags",
        "ec2:RunInstances",
        "ec2:CreateSecurityGroup",
        "ec2:CreateManagedPrefixList",
      ]),
    );
  });

  it("denies DeleteTags without keys (it deletes every tag) to others", () => {
    expect(bySid("DeleteAllTagsOnlyBySegsync")?.Condition).toEqual({
      Null: { "aws:TagKeys": "true" },
      ArnNotLike: { "aws:PrincipalArn": [SEGSYNC_ROLE, "arn:*:iam::*:role/segsync-*"] },
    });
  });

  it("denies changing or deleting any object carrying segsync:managed, whatever its value", () => {
    const statement = bySid("SegsyncObjectsOnlyBySegsync");
    expect(statement?.Action).toEqual([...OWNED_OBJECT_ACTIONS]);
    expect(statement?.Condition?.Null).toEqual({ "aws:ResourceTag/segsync:managed": "false" });
  });

  it("reserves the label keys to the label writers only when they are named", () => {
    expect(bySid("LabelKeysOnlyByLabelWriters")?.Condition).toEqual({
      "ForAnyValue:StringLike": { "aws:TagKeys": ["seg-*"] },
      ArnNotLike: { "aws:PrincipalArn": ["arn:aws:iam::111111111111:role/provisioner"] },
    });
    const without = buildGuardrails(LABELS, ALL, { clouds: ["aws"] }).aws;
    expect(without?.serviceControlPolicy.Statement.map((statement) => statement.Sid)).toEqual([
      "SegsyncTagKeysOnlyBySegsync",
      "DeleteAllTagsOnlyBySegsync",
      "SegsyncObjectsOnlyBySegsync",
    ]);
    expect(without?.notes.join("\n")).toContain("Label keys (seg-*) are not reserved");
  });

  it("a tag policy that pins the keys' case and the ownership value, reporting only", () => {
    expect(aws?.tagPolicy.tags["segsync:managed"]).toEqual({
      tag_key: { "@@assign": "segsync:managed" },
      tag_value: { "@@assign": ["true"] },
    });
    expect(Object.keys(aws?.tagPolicy.tags ?? {})).toEqual([...reservedKeys("aws")]);
    expect(JSON.stringify(aws?.tagPolicy)).not.toContain("enforced_for");
  });

  it("refuses an SCP over the size limit rather than print one Organizations would refuse", () => {
    const many = resolvePrincipals({
      awsRoles: [SEGSYNC_ROLE],
      labelWriters: Array.from(
        { length: 100 },
        (_, index) => `arn:aws:iam::111111111111:role/labels-${index}-writer`,
      ),
    });
    expect(() => buildGuardrails(LABELS, many)).toThrow(GuardrailDocumentError);
    expect(() => buildGuardrails(LABELS, many)).toThrow(
      /service control policy is not valid: \(document\): more than 5120/,
    );
  });
});

describe("buildGuardrails: Azure", () => {
  const { azure } = buildGuardrails(LABELS, ALL, {
    clouds: ["azure"],
    azureResourceGroups: ["rg-b", "rg-a", "rg-a"],
  });
  const definition = azure?.policyDefinition.properties;

  it("is an Indexed custom definition, Deny by default, with segsync's resource groups as the default", () => {
    expect(definition?.mode).toBe("Indexed");
    expect(definition?.parameters?.effect?.defaultValue).toBe("Deny");
    expect(definition?.parameters?.segsyncResourceGroups?.defaultValue).toEqual(["rg-a", "rg-b"]);
    expect(definition?.metadata?.segsyncPrincipalId).toBe(AZURE_PRINCIPAL);
    expect(definition?.policyRule.then).toEqual({ effect: "[parameters('effect')]" });
  });

  it("denies the ownership tags off NSGs and ASGs or outside segsync's groups, and NIC records off NICs", () => {
    const text = JSON.stringify(definition?.policyRule.if);
    for (const key of reservedKeys("azure")) expect(text).toContain(`tags['${key}']`);
    expect(text).toContain(
      '"value":"[resourceGroup().name]","notIn":"[parameters(\'segsyncResourceGroups\')]"',
    );
    expect(text).toContain('"field":"type","notEquals":"Microsoft.Network/networkInterfaces"');
  });

  it("without resource groups, says the assignment must give them; Azure label writers are said unused", () => {
    const withWriters = resolvePrincipals({
      azurePrincipalId: AZURE_PRINCIPAL,
      labelWriters: ["1c2d3e4f-5061-7283-94a5-b6c7d8e9f0a1"],
    });
    const result = buildGuardrails(LABELS, withWriters).azure;
    expect(
      result?.policyDefinition.properties.parameters?.segsyncResourceGroups?.defaultValue,
    ).toBeUndefined();
    expect(result?.notes.join("\n")).toContain("Give the parameter segsyncResourceGroups");
    expect(result?.notes.join("\n")).toContain("cannot reserve label keys to principals");
  });
});

describe("buildGuardrails: GCP", () => {
  it("reserves firewall rules and network tags to segsync, and labels to their writers when named", () => {
    const withWriters = resolvePrincipals({
      gcpServiceAccount: GCP_SERVICE_ACCOUNT,
      labelWriters: ["group:platform@example.com"],
    });
    const policy = buildGuardrails(LABELS, withWriters).gcp?.denyPolicy;
    expect(policy?.rules.map((rule) => rule.denyRule)).toEqual([
      {
        deniedPrincipals: ["principalSet://goog/public:all"],
        exceptionPrincipals: [GCP_SEGSYNC],
        deniedPermissions: [
          "compute.googleapis.com/firewalls.create",
          "compute.googleapis.com/firewalls.update",
          "compute.googleapis.com/firewalls.delete",
        ],
      },
      {
        deniedPrincipals: ["principalSet://goog/public:all"],
        exceptionPrincipals: [GCP_SEGSYNC],
        deniedPermissions: ["compute.googleapis.com/instances.setTags"],
      },
      {
        deniedPrincipals: ["principalSet://goog/public:all"],
        exceptionPrincipals: ["principalSet://goog/group/platform@example.com"],
        deniedPermissions: ["compute.googleapis.com/instances.setLabels"],
      },
    ]);
    expect(buildGuardrails(LABELS, ALL, { clouds: ["gcp"] }).gcp?.denyPolicy.rules).toHaveLength(2);
  });
});

describe("buildGuardrails: which clouds", () => {
  it("builds each cloud whose principal is given, and refuses a cloud without one", () => {
    expect(Object.keys(buildGuardrails(LABELS, ALL))).toEqual(["aws", "azure", "gcp"]);
    const awsOnly = resolvePrincipals({ awsRoles: [SEGSYNC_ROLE] });
    expect(Object.keys(buildGuardrails(LABELS, awsOnly))).toEqual(["aws"]);
    expect(() => buildGuardrails(LABELS, awsOnly, { clouds: ["gcp", "azure"] })).toThrow(
      "guardrails: the gcp documents need --gcp-service-account; the azure documents need --azure-principal",
    );
    expect(() => buildGuardrails(LABELS, resolvePrincipals({}))).toThrow(GuardrailInputError);
  });
});
