import { describe, expect, it } from "vitest";
import { DEFAULT_AWS_QUOTAS } from "../../lib/clouds/aws/config.js";
import { DEFAULT_AZURE_QUOTAS } from "../../lib/clouds/azure/config.js";
import { DEFAULT_GCP_PRIORITIES, DEFAULT_GCP_QUOTAS } from "../../lib/clouds/gcp/config.js";
import type { CloudFinding, CloudProvider } from "../../lib/clouds/provider.js";
import { createProviders } from "../../lib/clouds/registry.js";
import { compile } from "../../lib/compile/compile.js";
import { AWS_VPC, designPolicy, workload } from "../compile/fixtures.js";
import { SEALER } from "../support/seals.js";
import { AwsTestbed } from "./aws/harness.js";
import { AzureTestbed, SEGSYNC_RESOURCE_GROUP, SUBSCRIPTION } from "./azure/harness.js";
import { GcpTestbed, PROJECT } from "./gcp/harness.js";

const providers = createProviders({
  sealer: SEALER,
  aws: { quotas: DEFAULT_AWS_QUOTAS },
  azure: { quotas: DEFAULT_AZURE_QUOTAS, resourceGroups: { [SUBSCRIPTION]: SEGSYNC_RESOURCE_GROUP } },
  gcp: { quotas: DEFAULT_GCP_QUOTAS, priorities: DEFAULT_GCP_PRIORITIES },
});
const policy = designPolicy({ networks: { connected: [], nat: {} } });
const shop = { app: "shop", env: "prod" };
const VNET = `azure:${SUBSCRIPTION}:rg-net:vnet-prod`;
const GCP_DEFAULT = `gcp:${PROJECT}:default`;

const estates = {
  aws: {
    network: AWS_VPC,
    api: workload(
      "aws:111111111111:us-east-1:i-0a00000000000002",
      { network: AWS_VPC, privateIp: "10.1.0.12" },
      { ...shop, role: "api" },
    ),
    db: workload(
      "aws:111111111111:us-east-1:i-0a00000000000003",
      { network: AWS_VPC, privateIp: "10.1.0.13" },
      { ...shop, role: "db" },
    ),
  },
  azure: {
    network: VNET,
    api: workload(
      `azure:${SUBSCRIPTION}:rg-app:api-1`,
      { network: VNET, privateIp: "10.2.0.12" },
      { ...shop, role: "api" },
    ),
    db: workload(
      `azure:${SUBSCRIPTION}:rg-app:db-1`,
      { network: VNET, privateIp: "10.2.0.13" },
      { ...shop, role: "db" },
    ),
  },
  gcp: {
    network: GCP_DEFAULT,
    api: workload(
      `gcp:${PROJECT}:us-central1-a:api-1`,
      { network: GCP_DEFAULT, privateIp: "10.128.0.12" },
      { ...shop, role: "api" },
    ),
    db: workload(
      `gcp:${PROJECT}:us-central1-b:db-1`,
      { network: GCP_DEFAULT, privateIp: "10.128.0.13" },
      { ...shop, role: "db" },
    ),
  },
};

const connections = {
  aws: () => {
    const bed = new AwsTestbed([estates.aws.api, estates.aws.db], DEFAULT_AWS_QUOTAS);
    const location = { account: "111111111111", region: "us-east-1" };
    return { apiFor: () => bed.sim(location), locations: [location] };
  },
  azure: () => {
    const bed = new AzureTestbed([estates.azure.api, estates.azure.db], DEFAULT_AZURE_QUOTAS);
    return { apiFor: () => bed.sim, subscriptions: [SUBSCRIPTION] };
  },
  gcp: () => {
    const bed = new GcpTestbed([estates.gcp.api, estates.gcp.db], DEFAULT_GCP_QUOTAS);
    return { apiFor: () => bed.sim, projects: [PROJECT] };
  },
};

/** The same round trip through the port, whatever the cloud. */
async function roundTrip<S, D extends { readonly findings: readonly CloudFinding[] }, O, C>(
  provider: CloudProvider<S, D, O, C>,
  connection: C,
  cloud: keyof typeof estates,
) {
  const { api, db, network } = estates[cloud];
  const discovery = await provider.discover(connection, policy.labels);
  expect(discovery.workloads.map((w) => w.id).sort()).toEqual([api.id, db.id].sort());
  expect(await provider.discoverWorkload(connection, db.id, policy.labels)).toMatchObject({
    id: db.id,
    state: "running",
  });
  const intent = compile(policy, { workloads: discovery.workloads, networks: discovery.networks });
  const plan = provider.diff(provider.materialize(intent, discovery.state, policy), discovery.state);
  expect(plan.length).toBeGreaterThan(0);
  const summaries = plan.map((op) => provider.summarize(op, discovery.state));
  expect(summaries.every((s) => s.cloud === cloud && s.object.length > 0)).toBe(true);
  const applied: O[] = [];
  await provider.apply(plan, connection, (op) => applied.push(op));
  expect(applied).toEqual(plan);
  const after = await provider.discover(connection, policy.labels);
  expect(provider.diff(provider.materialize(intent, after.state, policy), after.state)).toEqual([]);
  const reach = provider.evaluate(after.state);
  const from = (w: typeof api) => w.nics[0]?.privateIp ?? "";
  expect(
    reach.explain({ workload: db.id, network, sourceAddress: from(api), protocol: "tcp", port: 5432 })
      ?.object,
  ).toMatch(/segsync-/);
  expect(
    reach.explain({ workload: db.id, network, sourceAddress: from(api), protocol: "tcp", port: 22 }),
  ).toBeUndefined();
}

describe("the CloudProvider registry", () => {
  it("has one provider per cloud", () => {
    expect(Object.keys(providers).sort()).toEqual(["aws", "azure", "gcp"]);
  });

  it("AWS: discover, plan, apply, converge and explain through the port", () =>
    roundTrip(providers.aws, connections.aws(), "aws"));
  it("Azure: discover, plan, apply, converge and explain through the port", () =>
    roundTrip(providers.azure, connections.azure(), "azure"));
  it("GCP: discover, plan, apply, converge and explain through the port", () =>
    roundTrip(providers.gcp, connections.gcp(), "gcp"));
});
