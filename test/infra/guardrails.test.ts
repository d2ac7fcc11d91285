import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { GuardrailsSettings } from "../../infra/props.js";
import { SAMPLE_PROPS } from "../../infra/sample.js";
import { SynchronizerConfigError } from "../../infra/synchronizer.js";
import { DenyPolicySchema } from "../../lib/guardrails/schemas/gcp.js";
import { cfnLint, skipWithoutCfnLint } from "../support/cfn-lint.js";
import { construct, logicalId, synthesize } from "./stack.js";

const AZURE_PRINCIPAL = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const GUARDRAILS: GuardrailsSettings = {
  labelWriters: ["arn:aws:iam::111111111111:role/provisioner"],
  azurePrincipalId: AZURE_PRINCIPAL,
  deployScp: { targetIds: ["ou-ab12-cdef3456"] },
};

const sample = synthesize({ ...SAMPLE_PROPS, guardrails: GUARDRAILS });
const { template, stack, synchronizer } = sample;
const json = template.toJSON();
const reconcilerRole = synchronizer.functions.reconciler?.role;
if (reconcilerRole === undefined) throw new Error("no reconciler");
const roleId = logicalId(reconcilerRole, stack);
const outputs = json.Outputs as Record<string, { Value: unknown; Description?: string }>;
const output = (suffix: string) => {
  const entry = Object.entries(outputs).find(([id]) =>
    new RegExp(`Guardrails${suffix}[0-9A-F]{8}$`).test(id),
  );
  if (entry === undefined) throw new Error(`no output ${suffix}`);
  return entry[1];
};

/** An output's JSON with the role's Fn::GetAtt put back in its place. */
function resolved(value: unknown): unknown {
  const join = (value as { "Fn::Join": [string, unknown[]] })["Fn::Join"];
  const text = join[1]
    .map((part) =>
      typeof part === "string" ? part : `GETATT:${(part as { "Fn::GetAtt": string[] })["Fn::GetAtt"][0]}`,
    )
    .join(join[0]);
  return JSON.parse(text);
}

describe("SegmentationSynchronizer guardrails", () => {
  it("deploys the SCP, with the reconciler's role and every account's role excepted, to the targets", () => {
    template.resourceCountIs("AWS::Organizations::Policy", 1);
    const policy = Object.values(
      json.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
    ).find((resource) => resource.Type === "AWS::Organizations::Policy");
    expect(policy?.Properties.Type).toBe("SERVICE_CONTROL_POLICY");
    expect(policy?.Properties.TargetIds).toEqual(["ou-ab12-cdef3456"]);
    const content = policy?.Properties.Content as {
      Statement: { Sid: string; Condition: Record<string, unknown> }[];
    };
    expect(content.Statement[0]?.Condition.ArnNotLike).toEqual({
      "aws:PrincipalArn": [
        { "Fn::GetAtt": [roleId, "Arn"] },
        "arn:aws:iam::222222222222:role/segsync-reconciler",
      ],
    });
    expect(content.Statement.map((statement) => statement.Sid)).toContain("LabelKeysOnlyByLabelWriters");
  });

  it("outputs the four documents as JSON, the role ARN resolved at deployment", () => {
    const scp = resolved(output("ServiceControlPolicy").Value) as {
      Statement: { Condition: Record<string, unknown> }[];
    };
    expect(scp.Statement[0]?.Condition.ArnNotLike).toEqual({
      "aws:PrincipalArn": [`GETATT:${roleId}`, "arn:aws:iam::222222222222:role/segsync-reconciler"],
    });
    const tagPolicy = JSON.parse(output("TagPolicy").Value as string);
    expect(Object.keys(tagPolicy.tags)).toContain("segsync:managed");
    const azure = JSON.parse(output("AzurePolicyDefinition").Value as string);
    expect(azure.properties.parameters.segsyncResourceGroups.defaultValue).toEqual(["rg-segsync"]);
    expect(azure.properties.metadata.segsyncPrincipalId).toBe(AZURE_PRINCIPAL);
    // The GCP service account defaults to the federated auth's.
    const gcp = DenyPolicySchema.parse(JSON.parse(output("GcpDenyPolicy").Value as string));
    expect(gcp.rules[0]?.denyRule.exceptionPrincipals).toEqual([
      "principal://iam.googleapis.com/projects/-/serviceAccounts/segsync@shop-prod.iam.gserviceaccount.com",
    ]);
  });

  it("adds nothing without the prop, and no Organizations policy without deployScp", () => {
    const plain = synthesize(SAMPLE_PROPS).template;
    plain.resourceCountIs("AWS::Organizations::Policy", 0);
    expect(Object.keys(plain.toJSON().Outputs).filter((id) => id.includes("Guardrails"))).toEqual([]);
    const outputsOnly = synthesize({ ...SAMPLE_PROPS, guardrails: {} });
    outputsOnly.template.resourceCountIs("AWS::Organizations::Policy", 0);
    const ids = Object.keys(outputsOnly.template.toJSON().Outputs).filter((id) => id.includes("Guardrails"));
    // No Azure principal: no Azure definition.
    expect(ids.map((id) => id.replace(/^.*Guardrails/, "").replace(/[0-9A-F]{8}$/, ""))).toEqual([
      "ServiceControlPolicy",
      "TagPolicy",
      "GcpDenyPolicy",
    ]);
  });

  it("fails the synth on bad targets, bad principals, or an SCP too long at the role's longest ARN", () => {
    const failure = (guardrails: GuardrailsSettings) => {
      try {
        construct({ ...SAMPLE_PROPS, guardrails });
      } catch (error) {
        expect(error).toBeInstanceOf(SynchronizerConfigError);
        return (error as SynchronizerConfigError).problems;
      }
      throw new Error("the construct accepted these guardrails");
    };
    expect(failure({ deployScp: { targetIds: ["root", "r-ab12"] } })).toEqual([
      'guardrails.deployScp.targetIds: "root" is not a root, OU or account id',
    ]);
    expect(failure({ deployScp: { targetIds: [] } })).toEqual([
      "guardrails.deployScp.targetIds: name at least one root, OU or account",
    ]);
    expect(failure({ labelWriters: ["nobody"], azurePrincipalId: "x" })).toEqual([
      'guardrails: Azure principal "x": expected an Entra object id (a GUID)',
      'guardrails: label writer "nobody": expected an AWS IAM ARN, an Entra object id, a Google email (group:EMAIL for a group) or a principal:// URI',
    ]);
    // 68 writers fit with the role's ARN as a token (about 20 characters), not at its longest.
    const writers = Array.from(
      { length: 68 },
      (_, index) => `arn:aws:iam::111111111111:role/label-writer-${index}`,
    );
    expect(failure({ labelWriters: writers })[0]).toMatch(/the service control policy is not valid: .*5120/);
  });
});

describe.skipIf(skipWithoutCfnLint("the guardrails' template checks"))(
  "cfn-lint on the guardrails' resources",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "segsync-guardrails-infra-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("finds nothing in the Organizations policy and the outputs", async () => {
      const resources = json.Resources as Record<string, { Type: string }>;
      const guardrails = {
        AWSTemplateFormatVersion: "2010-09-09",
        Resources: Object.fromEntries(
          Object.entries(resources).filter(
            ([id, resource]) => id === roleId || resource.Type === "AWS::Organizations::Policy",
          ),
        ),
        Outputs: Object.fromEntries(Object.entries(outputs).filter(([id]) => id.includes("Guardrails"))),
      };
      const file = join(dir, "guardrails.json");
      writeFileSync(file, JSON.stringify(guardrails));
      expect(await cfnLint(file)).toEqual({ exitCode: 0, findings: [] });
    }, 60_000);
  },
);
