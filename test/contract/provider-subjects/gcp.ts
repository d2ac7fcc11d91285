/**
 * The GCP subjects of the CloudProvider contract: the simulated Compute of one project, and the
 * SDK adapter against the Compute fake (test/support/compute-fake.ts), each seeded with
 * CONTRACT_ESTATE.
 */
import { OAuth2Client } from "google-auth-library";
import type { GcpApiFactory } from "../../../lib/clouds/gcp/api.js";
import { DEFAULT_GCP_PRIORITIES, DEFAULT_GCP_QUOTAS } from "../../../lib/clouds/gcp/config.js";
import { networkUrl } from "../../../lib/clouds/gcp/model.js";
import { createGcpProvider, type GcpConnection, type GcpProvider } from "../../../lib/clouds/gcp/provider.js";
import { createSdkGcpApiFactory } from "../../../lib/clouds/gcp/sdk/api.js";
import { formatNetworkId, formatWorkloadId } from "../../../lib/inventory/ids.js";
import { SimulatedCompute } from "../../../sim/clouds/gcp/api.js";
import { type ComputeFake, startComputeFake } from "../../support/compute-fake.js";
import { SEALER } from "../../support/seals.js";
import {
  CONTRACT_ESTATE,
  type ContractName,
  contractWorkloads,
  type SeededPlace,
  type SubjectOf,
} from "../provider.contract.js";

type GcpSubject = SubjectOf<GcpProvider>;

const provider = createGcpProvider({
  quotas: DEFAULT_GCP_QUOTAS,
  priorities: DEFAULT_GCP_PRIORITIES,
  sealer: SEALER,
});
const PROJECT = "contract-prod";
const ZONE = "us-central1-a";
const NETWORK = "contract-net";
const NAMES = Object.keys(CONTRACT_ESTATE) as ContractName[];
const address = (name: ContractName) => `10.3.0.${CONTRACT_ESTATE[name].host}`;
const instanceName = (name: ContractName) => `${name}-1`;

function place(connection: GcpConnection): SeededPlace<GcpConnection> {
  const network = formatNetworkId({ cloud: "gcp", project: PROJECT, networkName: NETWORK });
  const workloadId = (instance: string) =>
    formatWorkloadId({ cloud: "gcp", project: PROJECT, zone: ZONE, instanceName: instance });
  return {
    connection,
    workloads: contractWorkloads((name) => workloadId(instanceName(name)), network, address),
    network,
    goneWorkload: workloadId("gone-1"),
    unmanagedNetwork: formatNetworkId({ cloud: "gcp", project: "contract-elsewhere", networkName: NETWORK }),
  };
}

/** The seeded project of the running case. */
let simulated: SimulatedCompute | undefined;

export const gcpSimulator: GcpSubject = {
  name: "GCP simulator",
  provider,
  async removeWorkload(name) {
    if (simulated === undefined) throw new Error("nothing seeded");
    simulated.deleteInstance(ZONE, instanceName(name));
  },
  async seed() {
    const sim = SimulatedCompute.empty(PROJECT, { limits: DEFAULT_GCP_QUOTAS });
    simulated = sim;
    sim.createNetwork({ name: NETWORK });
    sim.setNetworkRange(NETWORK, "10.3.0.0/16");
    for (const name of NAMES) {
      sim.createInstance({
        zone: ZONE,
        name: instanceName(name),
        labels: CONTRACT_ESTATE[name].tags,
        network: networkUrl(PROJECT, NETWORK),
        networkIP: address(name),
      });
    }
    return place({ projects: [PROJECT], apiFor: () => sim });
  },
};

const TOKEN = "ya29.contract-token-not-real";

/** A fresh fake holding the subnetwork and an instance per name; what the SDK adapter reaches it with. */
async function startSeededFake(
  names: readonly ContractName[],
): Promise<{ fake: ComputeFake; apiFor: GcpApiFactory }> {
  const fake = await startComputeFake({ project: PROJECT, token: TOKEN, zones: [ZONE] });
  fake.addSubnetwork({ region: "us-central1", name: NETWORK, network: NETWORK, ipCidrRange: "10.3.0.0/16" });
  for (const name of names) {
    fake.addInstance({
      zone: ZONE,
      name: instanceName(name),
      labels: CONTRACT_ESTATE[name].tags,
      tags: { items: [] },
      networkInterfaces: [{ name: "nic0", network: networkUrl(PROJECT, NETWORK), networkIP: address(name) }],
    });
  }
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: TOKEN, expiry_date: Date.now() + 3_600_000 });
  const apiFor = createSdkGcpApiFactory({
    apiEndpoint: "127.0.0.1",
    port: fake.port,
    protocol: "http",
    authClient,
    retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
    operations: { pollIntervalMs: 1 },
  });
  return { fake, apiFor };
}

let onFake: { fake: ComputeFake; apiFor: GcpApiFactory } | undefined;

export const gcpOnComputeFake: GcpSubject = {
  name: "GCP SDK on the Compute fake",
  provider,
  async stop() {
    await onFake?.fake.stop();
    onFake = undefined;
  },
  // The fake deletes no instance by itself: it starts again without the workload (before any apply).
  async removeWorkload(name) {
    await onFake?.fake.stop();
    onFake = await startSeededFake(NAMES.filter((other) => other !== name));
  },
  async seed() {
    await onFake?.fake.stop();
    onFake = await startSeededFake(NAMES);
    // Through the current fake, which removeWorkload replaces.
    const apiFor: GcpApiFactory = (project) => {
      if (onFake === undefined) throw new Error("the Compute fake did not start");
      return onFake.apiFor(project);
    };
    return place({ projects: [PROJECT], apiFor });
  },
};
