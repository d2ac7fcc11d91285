import { describe, expect, it } from "vitest";
import { GuardrailInputError } from "../../lib/guardrails/errors.js";
import { resolvePrincipals } from "../../lib/guardrails/principals.js";
import { AZURE_PRINCIPAL, GCP_SEGSYNC, GCP_SERVICE_ACCOUNT, SEGSYNC_ROLE } from "./fixtures.js";

describe("resolvePrincipals", () => {
  it("puts each principal in its cloud's form", () => {
    const principals = resolvePrincipals({
      awsRoles: [SEGSYNC_ROLE, "segsync-*", SEGSYNC_ROLE],
      azurePrincipalId: AZURE_PRINCIPAL.toUpperCase(),
      gcpServiceAccount: GCP_SERVICE_ACCOUNT,
      labelWriters: [
        "arn:aws:iam::111111111111:role/provisioner",
        "1C2D3E4F-5061-7283-94A5-B6C7D8E9F0A1",
        "ci@shop-prod.iam.gserviceaccount.com",
        "alice@example.com",
        "group:platform@example.com",
        "principalSet://goog/group/labels@example.com",
      ],
    });
    expect(principals).toEqual({
      awsRoles: [SEGSYNC_ROLE, "arn:*:iam::*:role/segsync-*"],
      azurePrincipalId: AZURE_PRINCIPAL,
      gcpServiceAccount: GCP_SEGSYNC,
      labelWriters: {
        aws: ["arn:aws:iam::111111111111:role/provisioner"],
        azure: ["1c2d3e4f-5061-7283-94a5-b6c7d8e9f0a1"],
        gcp: [
          "principal://iam.googleapis.com/projects/-/serviceAccounts/ci@shop-prod.iam.gserviceaccount.com",
          "principal://goog/subject/alice@example.com",
          "principalSet://goog/group/platform@example.com",
          "principalSet://goog/group/labels@example.com",
        ],
      },
    });
  });

  it("names every principal it cannot read, at once", () => {
    let error: unknown;
    try {
      resolvePrincipals({
        awsRoles: ["arn:aws:iam::111111111111:user/alice", "role name"],
        azurePrincipalId: "segsync",
        gcpServiceAccount: "segsync@example.com",
        labelWriters: ["somebody"],
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GuardrailInputError);
    expect((error as GuardrailInputError).problems).toEqual([
      'AWS role "arn:aws:iam::111111111111:user/alice": expected a role ARN or a role name pattern such as segsync-*',
      'AWS role "role name": expected a role ARN or a role name pattern such as segsync-*',
      'Azure principal "segsync": expected an Entra object id (a GUID)',
      'GCP service account "segsync@example.com": expected a service account email (…@….gserviceaccount.com)',
      'label writer "somebody": expected an AWS IAM ARN, an Entra object id, a Google email (group:EMAIL for a group) or a principal:// URI',
    ]);
  });
});
