import { describe, expect, it } from "vitest";
import { DEFAULT_AWS_QUOTAS } from "../../lib/clouds/aws/config.js";
import { DEFAULT_AZURE_QUOTAS } from "../../lib/clouds/azure/config.js";
import { DEFAULT_GCP_QUOTAS } from "../../lib/clouds/gcp/config.js";
import { CLOUDS, type Cloud } from "../../lib/inventory/model.js";
import { cloudDrivers } from "../../lib/reconcile/cloud-drivers.js";
import type { CloudDriver } from "../../lib/reconcile/driver.js";
import { AwsTestbed } from "../clouds/aws/harness.js";
import { AzureTestbed, SUBSCRIPTION } from "../clouds/azure/harness.js";
import { GcpTestbed, PROJECT } from "../clouds/gcp/harness.js";
import { AWS_VPC, designPolicy, workload } from "../compile/fixtures.js";
import { testProviders } from "../support/providers.js";

const providers = testProviders();
const policy = designPolicy({ networks: { connected: [], nat: {} } });
const labels = { app: "shop", env: "prod", role: "api" };
const LOCATION = { account: "111111111111", region: "us-east-1" };
const apis = {
  aws: workload(
    "aws:111111111111:us-east-1:i-0a00000000000002",
    { network: AWS_VPC, privateIp: "10.1.0.12" },
    labels,
  ),
  azure: workload(
    `azure:${SUBSCRIPTION}:rg-app:api-1`,
    { network: `azure:${SUBSCRIPTION}:rg-net:vnet-prod`, privateIp: "10.2.0.12" },
    labels,
  ),
  gcp: workload(
    `gcp:${PROJECT}:us-central1-a:api-1`,
    { network: `gcp:${PROJECT}:default`, privateIp: "10.128.0.12" },
    labels,
  ),
};

/** Each cloud's connection reaches a testbed holding that cloud's one workload. */
function connections() {
  const aws = new AwsTestbed([apis.aws], DEFAULT_AWS_QUOTAS);
  const azure = new AzureTestbed([apis.azure], DEFAULT_AZURE_QUOTAS);
  const gcp = new GcpTestbed([apis.gcp], DEFAULT_GCP_QUOTAS);
  return {
    aws: { apiFor: () => aws.sim(LOCATION), locations: [LOCATION] },
    azure: { apiFor: () => azure.sim, subscriptions: [SUBSCRIPTION] },
    gcp: { apiFor: () => gcp.sim, projects: [PROJECT] },
  };
}

describe("cloudDrivers", () => {
  it("binds each cloud's provider to that cloud's connection", async () => {
    const drivers = cloudDrivers(providers, connections());
    expect(Object.keys(drivers).sort()).toEqual([...CLOUDS].sort());
    for (const cloud of CLOUDS) {
      expect(drivers[cloud].cloud).toBe(cloud);
      const read = await drivers[cloud].discover(policy.labels);
      expect(read.workloads.map((w) => w.id)).toEqual([apis[cloud].id]);
    }
  });

  it("puts `wrap` around each driver, once", async () => {
    const wrapped: Cloud[] = [];
    const reads: Cloud[] = [];
    const counting = (driver: CloudDriver): CloudDriver => {
      wrapped.push(driver.cloud);
      return {
        ...driver,
        discover: (readLabels, scope) => {
          reads.push(driver.cloud);
          return driver.discover(readLabels, scope);
        },
      };
    };
    const drivers = cloudDrivers(providers, connections(), counting);
    expect(wrapped.sort()).toEqual([...CLOUDS].sort());
    await drivers.azure.discover(policy.labels);
    expect(reads).toEqual(["azure"]);
  });
});
