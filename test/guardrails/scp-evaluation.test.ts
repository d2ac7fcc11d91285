import { describe, expect, it } from "vitest";
import { buildGuardrails } from "../../lib/guardrails/build.js";
import { resolvePrincipals } from "../../lib/guardrails/principals.js";
import { denies, type ScpRequest } from "../support/scp-deny.js";
import { fixture, LABELS } from "./fixtures.js";

const SEGSYNC = "arn:aws:iam::222222222222:role/segsync-reconciler";
const PROVISIONER = "arn:aws:iam::222222222222:role/provisioner";
const DEVELOPER = "arn:aws:iam::222222222222:role/developer";

const principals = resolvePrincipals({ awsRoles: ["segsync-*"], labelWriters: [PROVISIONER] });
const scp = buildGuardrails(LABELS, principals).aws?.serviceControlPolicy;
if (scp === undefined) throw new Error("no SCP");

describe("the SCP, evaluated on requests", () => {
  const cases: [string, ScpRequest, boolean][] = [
    [
      "segsync tags its group",
      { action: "ec2:CreateTags", principalArn: SEGSYNC, tagKeys: ["segsync:managed", "segsync:seal"] },
      false,
    ],
    [
      "a developer forges segsync:managed",
      { action: "ec2:CreateTags", principalArn: DEVELOPER, tagKeys: ["Name", "segsync:managed"] },
      true,
    ],
    [
      "a developer removes segsync:original-groups",
      { action: "ec2:DeleteTags", principalArn: DEVELOPER, tagKeys: ["segsync:original-groups"] },
      true,
    ],
    [
      "a developer launches with a segsync tag",
      { action: "ec2:RunInstances", principalArn: DEVELOPER, tagKeys: ["segsync:identity"] },
      true,
    ],
    [
      "a developer creates a group carrying segsync:managed",
      { action: "ec2:CreateSecurityGroup", principalArn: DEVELOPER, tagKeys: ["segsync:managed"] },
      true,
    ],
    [
      "a developer tags Name",
      { action: "ec2:CreateTags", principalArn: DEVELOPER, tagKeys: ["Name"] },
      false,
    ],
    [
      "a case variant is not segsync's key",
      { action: "ec2:CreateTags", principalArn: DEVELOPER, tagKeys: ["Segsync:managed"] },
      false,
    ],
    ["a developer deletes every tag", { action: "ec2:DeleteTags", principalArn: DEVELOPER }, true],
    [
      "a developer opens a port on segsync's group",
      {
        action: "ec2:AuthorizeSecurityGroupIngress",
        principalArn: DEVELOPER,
        resourceTags: { "segsync:managed": "true" },
      },
      true,
    ],
    [
      "even on a forged value",
      {
        action: "ec2:DeleteSecurityGroup",
        principalArn: DEVELOPER,
        resourceTags: { "segsync:managed": "no" },
      },
      true,
    ],
    [
      "a developer opens a port on their own group",
      { action: "ec2:AuthorizeSecurityGroupIngress", principalArn: DEVELOPER, resourceTags: { Name: "web" } },
      false,
    ],
    [
      "segsync changes its prefix list",
      {
        action: "ec2:ModifyManagedPrefixList",
        principalArn: SEGSYNC,
        resourceTags: { "segsync:managed": "true" },
      },
      false,
    ],
    [
      "the provisioner writes a label",
      { action: "ec2:CreateTags", principalArn: PROVISIONER, tagKeys: ["seg-app"] },
      false,
    ],
    [
      "a developer writes a label",
      { action: "ec2:CreateTags", principalArn: DEVELOPER, tagKeys: ["seg-env"] },
      true,
    ],
    [
      "a developer launches with a label",
      { action: "ec2:RunInstances", principalArn: DEVELOPER, tagKeys: ["seg-role"] },
      true,
    ],
    [
      "segsync does not write labels either",
      { action: "ec2:CreateTags", principalArn: SEGSYNC, tagKeys: ["seg-app"] },
      true,
    ],
    [
      "the provisioner cannot forge segsync's keys",
      { action: "ec2:CreateTags", principalArn: PROVISIONER, tagKeys: ["segsync:managed"] },
      true,
    ],
  ];
  it.each(cases)("%s", (_name, request, denied) => {
    expect(denies(scp, request)).toBe(denied);
  });
});

describe("the evaluator reads published SCPs as AWS describes them", () => {
  it("aws-samples' IAM Roles Anywhere tag SCP denies its prefixes, and only them", () => {
    const published = fixture("aws/Protect-IAMRA-Specific-Tags.json") as Parameters<typeof denies>[0];
    const request = { action: "iam:TagRole", principalArn: DEVELOPER };
    expect(denies(published, { ...request, tagKeys: ["x509Subject/CN"] })).toBe(true);
    expect(denies(published, { ...request, tagKeys: ["team"] })).toBe(false);
    expect(denies(published, request)).toBe(false);
  });
});
