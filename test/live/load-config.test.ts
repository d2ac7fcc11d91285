import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  loadLiveConfigFile,
  loadLiveConfigText,
  resolveLiveConfigDocument,
} from "../../lib/live/load-config.js";
import { formatIssue } from "../../lib/util/source-issues.js";
import { REPO_ROOT } from "../policy/fixtures.js";

/** Every issue of a config text, as the CLI prints them. */
function issuesOf(text: string, fileName = "config.yaml"): string[] {
  const result = loadLiveConfigText(text, fileName);
  if (result.ok) throw new Error("expected issues, got a valid config");
  return result.issues.map((issue) => formatIssue(fileName, issue));
}

const HEADER = "apiVersion: segsync/v1\nkind: Config\n";

describe("the live config file", () => {
  it("loads the documented sample, with the defaults filled in", async () => {
    const result = await loadLiveConfigFile(join(REPO_ROOT, "examples", "live-config.yaml"));
    if (!result.ok) throw new Error(result.issues.map((i) => formatIssue("live-config.yaml", i)).join("\n"));
    expect(result.config.aws?.accounts).toEqual([
      { account: "111111111111", regions: ["us-east-1"] },
      { account: "222222222222", regions: ["us-west-2"], roleArn: "arn:aws:iam::222222222222:role/segsync" },
    ]);
    expect(result.config.azure).toMatchObject({
      subscriptions: [{ subscription: "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f", resourceGroup: "rg-segsync" }],
      auth: { kind: "default" },
    });
    expect(result.config.gcp?.projects).toEqual(["shop-prod"]);
    expect(result.config.guard).toEqual({
      maxRemovedRules: 200,
      maxRemovedShare: 0.25,
      shareAppliesAbove: 20,
    });
  });

  it("defaults each cloud's auth, and takes JSON as well", () => {
    const result = loadLiveConfigText(
      JSON.stringify({
        apiVersion: "segsync/v1",
        kind: "Config",
        azure: {
          subscriptions: [{ subscription: "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f", resourceGroup: "rg" }],
        },
        gcp: { projects: ["shop-prod"] },
      }),
      "config.json",
    );
    expect(result.ok && result.config.azure?.auth).toEqual({ kind: "default" });
    expect(result.ok && result.config.gcp?.auth).toEqual({ kind: "default" });
    expect(result.ok && result.config.aws).toBeUndefined();
  });

  it("places a bad value, an unknown key and a missing key at their line and column", () => {
    const text = `${HEADER}aws:
  accounts:
    - account: "12"
      regions: [us-east-1]
      region: eu-west-1
azure:
  subscriptions: [{ subscription: 8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f, resourceGroup: rg }]
  auth: { kind: federated, tenantId: 8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f }
`;
    expect(issuesOf(text)).toEqual([
      "config.yaml:5:16 aws.accounts[0].account: an AWS account id is 12 digits",
      'config.yaml:7:7 aws.accounts[0].region: unknown key "region" (did you mean "regions"?)',
      "config.yaml:10:9 azure.auth.clientId: required key is missing",
    ]);
  });

  it("names the wrong kind of file, and a config that names no cloud", () => {
    expect(issuesOf("apiVersion: segsync/v1\nkind: Policy\naws: { accounts: [] }\n")).toEqual([
      'config.yaml:2:7 kind: expected "Config", got "Policy"',
      "config.yaml:3:18 aws.accounts: must not be empty",
    ]);
    expect(issuesOf(`${HEADER}guard: { maxRemovedRules: 10 }\n`)).toEqual([
      "config.yaml:1:1 (root): names no cloud: give at least one of aws, azure and gcp",
    ]);
  });

  it("refuses a quota over the product limit and an auth of no known kind", () => {
    const text = `${HEADER}aws:
  accounts: [{ account: "123456789012", regions: [us-east-1] }]
  quotas: { rulesPerSecurityGroup: 500, securityGroupsPerInterface: 5 }
gcp:
  projects: [shop-prod]
  auth: { kind: password }
`;
    const issues = issuesOf(text);
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(
      /^config\.yaml:5:11 aws\.quotas: rulesPerSecurityGroup × securityGroupsPerInterface/,
    );
    expect(issues[1]).toMatch(/^config\.yaml:8:17 gcp\.auth\.kind: /);
  });

  it("refuses an account, region, subscription or project named twice, pointing at the first", () => {
    const text = `${HEADER}aws:
  accounts:
    - { account: "123456789012", regions: [us-east-1, eu-west-1, us-east-1] }
    - { account: "123456789012", regions: [us-west-2] }
azure:
  subscriptions:
    - { subscription: 8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f, resourceGroup: rg-a }
    - { subscription: 8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f, resourceGroup: rg-b }
gcp:
  projects: [shop-prod, shop-dev, shop-prod]
`;
    expect(issuesOf(text)).toEqual([
      'config.yaml:5:66 aws.accounts[0].regions[2]: region "us-east-1" is already listed (aws.accounts[0].regions[0])',
      'config.yaml:6:18 aws.accounts[1].account: account "123456789012" is already listed (aws.accounts[0].account)',
      'config.yaml:10:23 azure.subscriptions[1].subscription: subscription "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f" is already listed (azure.subscriptions[0].subscription)',
      'config.yaml:12:35 gcp.projects[2]: project "shop-prod" is already listed (gcp.projects[0])',
    ]);
  });

  it("reports text that is not well-formed, duplicate keys and __proto__ where they are", () => {
    expect(issuesOf(`${HEADER}aws: [\n`)[0]).toMatch(/^config\.yaml:4:1 \(root\): /);
    expect(issuesOf(`${HEADER}gcp: { projects: [shop-prod] }\ngcp: { projects: [shop-dev] }\n`)).toEqual([
      'config.yaml:4:1 gcp: duplicate key "gcp"',
    ]);
    expect(issuesOf(`${HEADER}gcp: { projects: [shop-prod], __proto__: {} }\n`)).toContain(
      'config.yaml:3:31 gcp.__proto__: "__proto__" is not allowed as a key',
    );
  });

  it("says why a file cannot be read", async () => {
    const result = await loadLiveConfigFile(join(REPO_ROOT, "examples", "no-such-config.yaml"));
    expect(result).toEqual({
      ok: false,
      issues: [{ path: "(root)", message: "cannot read the file: no such file" }],
    });
  });

  it("checks an object the same way, with paths but no positions", () => {
    const result = resolveLiveConfigDocument({
      apiVersion: "segsync/v1",
      kind: "Config",
      gcp: { projects: ["Shop_Prod"] },
    });
    expect(result).toEqual({
      ok: false,
      issues: [{ path: "gcp.projects[0]", message: "not a GCP project id" }],
    });
  });
});
