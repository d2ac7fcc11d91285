/**
 * The implementations the GCP API contract runs over: the simulator, the SDK adapter against the
 * Compute fake, and the SDK adapter replaying recorded responses.
 */
import { OAuth2Client } from "google-auth-library";
import { type GcpInstance, networkUrl, zoneName } from "../../lib/clouds/gcp/model.js";
import { createSdkGcpApiFactory } from "../../lib/clouds/gcp/sdk/api.js";
import type { SdkFirewall, SdkInstance } from "../../lib/clouds/gcp/sdk/clients.js";
import { toFirewall, toInstance } from "../../lib/clouds/gcp/sdk/shapes.js";
import { SimulatedCompute } from "../../sim/clouds/gcp/api.js";
import { defaultRules } from "../../sim/clouds/gcp/networks.js";
import { type InjectedFailure as FakeFailure, startComputeFake } from "../support/compute-fake.js";
import { type RecordedRoutes, startRecordedCompute } from "../support/compute-recorded.js";
import {
  type ContractInstance,
  DEFAULT_LABELS,
  type GcpApiImplementation,
  type GcpApiWorld,
  type HeldEstate,
  type InjectedFailure,
  type Json,
  NETWORK,
  type RecordedEstate,
} from "./gcp-api.world.js";

const TOKEN = "ya29.contract-token-not-real";
const COMPUTE = "https://www.googleapis.com/compute/v1";

/** The instances of an aggregatedList body, each with its zone's name (from the scope `zones/<zone>`). */
function recordedInstances(body: Json | undefined): { zone: string; instance: Json }[] {
  const items = (body?.items ?? {}) as Record<string, { instances?: Json[] }>;
  return Object.entries(items).flatMap(([scope, list]) =>
    (list.instances ?? []).map((instance) => ({ zone: zoneName(scope), instance })),
  );
}

function recordedFirewalls(body: Json | undefined): Json[] {
  return (body?.items ?? []) as Json[];
}

// The simulator

export const simulator: GcpApiImplementation = {
  name: "simulator (sim/clouds/gcp/api.ts)",
  cannotHoldUnmodelable: "the simulator holds only instances segsync can model",
  cannotHold: {
    subnetworks: "the simulator has no regions: one subnetwork spans each network (model.ts, GcpSubnetwork)",
    xpn: "the simulator holds service projects, not XpnResourceId objects: the arranged Shared VPC cases pin it",
  },

  async arrange(project, options) {
    const sim = SimulatedCompute.empty(project, {
      // Compute's defaults (docs/clouds.md, "GCP firewall rule limits"), the project's quota as arranged.
      limits: {
        sourceRangesPerRule: 256,
        sourceTagsPerRule: 30,
        networkTagsPerInstance: 64,
        firewallRulesPerProject: options.firewallRulesQuota ?? 500,
      },
    });
    sim.createNetwork({ name: NETWORK });
    if (options.defaultNetwork) sim.createNetwork({ name: "default", withDefaultRules: true });
    for (const service of options.serviceProjects ?? []) sim.enableXpnResource(service);
    if (options.xpnHost !== undefined) sim.setXpnHost(options.xpnHost);
    return {
      api: sim,
      addInstance: (instance) => {
        sim.createInstance({
          zone: instance.zone,
          name: instance.name,
          network: NETWORK,
          networkIP: instance.networkIP,
          ...(instance.natIP === undefined ? {} : { natIP: instance.natIP }),
          labels: instance.labels ?? DEFAULT_LABELS,
          tags: instance.tags ?? [],
        });
      },
      addFirewall: (firewall) => sim.createFirewall(firewall),
      addSubnetwork: (network, range) => sim.setNetworkRange(network, range),
      fail: (failure) => {
        sim.setThrottle(failure === "throttled" ? { throttleRate: 1, seed: 1 } : undefined);
        const lostResponseShare = failure === "lostResponse" ? 1 : 0;
        const failing = failure === "serverError" || failure === "lostResponse";
        sim.setServerErrors(failing ? { rate: 1, seed: 1, lostResponseShare } : undefined);
      },
      stop: async () => undefined,
    };
  },

  /** The recorded REST bodies become model.ts shapes through the SDK adapter's mappers (shapes.ts). */
  async hold(estate) {
    const instances: GcpInstance[] = recordedInstances(estate.instances).map(({ zone, instance }) =>
      toInstance(instance as SdkInstance, `${COMPUTE}/projects/${estate.project}/zones/${zone}`),
    );
    const firewalls = recordedFirewalls(estate.firewalls).map((rule) => toFirewall(rule as SdkFirewall));
    const sim = new SimulatedCompute({ project: estate.project, instances, firewalls });
    return { api: sim, stop: async () => undefined };
  },
};

// The SDK adapter against the Compute fake

function authClient(): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: TOKEN, expiry_date: Date.now() + 3_600_000 });
  return client;
}

/** The real @google-cloud/compute clients over plain http to a local server, with millisecond delays. */
function sdkApiOn(port: number, project: string) {
  return createSdkGcpApiFactory({
    apiEndpoint: "127.0.0.1",
    port,
    protocol: "http",
    authClient: authClient(),
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    operations: { pollIntervalMs: 1 },
  })(project);
}

function fakeInstance(project: string, instance: ContractInstance) {
  return {
    zone: instance.zone,
    name: instance.name,
    labels: instance.labels ?? DEFAULT_LABELS,
    ...(instance.tags === undefined || instance.tags.length === 0
      ? {}
      : { tags: { items: [...instance.tags] } }),
    networkInterfaces: [
      {
        name: "nic0",
        network: networkUrl(project, NETWORK),
        networkIP: instance.networkIP,
        ...(instance.natIP === undefined
          ? {}
          : { accessConfigs: [{ name: "External NAT", type: "ONE_TO_ONE_NAT", natIP: instance.natIP }] }),
      },
    ],
  };
}

const FAKE_FAILURES: Readonly<Record<InjectedFailure, FakeFailure>> = {
  throttled: "rateLimitExceeded",
  serverError: "backendError",
  lostResponse: "lostResponse",
};

export const computeFake: GcpApiImplementation = {
  name: "SDK adapter (lib/clouds/gcp/sdk/api.ts) against the Compute fake",
  cannotCheckRuleLimits:
    "the Compute fake checks no per-rule limit: what Compute answers for one is not recorded (test/fixtures/gcp/SOURCES.md)",

  async arrange(project, options) {
    const fake = await startComputeFake({
      project,
      token: TOKEN,
      zones: ["asia-east1-a", "europe-west1-b", "us-central1-a"],
      instancesPageSize: 2,
      firewallsPageSize: 2,
      ...(options.firewallRulesQuota === undefined ? {} : { firewallRulesQuota: options.firewallRulesQuota }),
      ...(options.serviceProjects === undefined
        ? {}
        : {
            projectResource: { kind: "compute#project", name: project, xpnProjectStatus: "HOST" },
            xpnResources: options.serviceProjects.map((id) => ({ id, type: "PROJECT" })),
            xpnResourcesPageSize: 2,
          }),
      ...(options.xpnHost === undefined
        ? {}
        : { xpnHost: { kind: "compute#project", name: options.xpnHost } }),
    });
    if (options.defaultNetwork) {
      for (const rule of defaultRules(project, "default")) fake.addFirewall({ ...rule });
    }
    const world: GcpApiWorld = {
      api: sdkApiOn(fake.port, project),
      addInstance: (instance) => fake.addInstance(fakeInstance(project, instance)),
      addFirewall: (firewall) => fake.addFirewall({ ...firewall }),
      addSubnetwork: (network, ipCidrRange) =>
        fake.addSubnetwork({ region: "us-central1", name: `${network}-us-central1`, network, ipCidrRange }),
      fail: (failure) => fake.failAll(failure === undefined ? undefined : FAKE_FAILURES[failure]),
      addUnmodelableInstance: (zone, name) =>
        fake.addInstance({ zone, name, networkInterfaces: [{ name: "nic0", networkIP: "10.3.0.99" }] }),
      stop: () => fake.stop(),
    };
    return world;
  },

  async hold(estate) {
    const fake = await startComputeFake({
      project: estate.project,
      token: TOKEN,
      ...(estate.projectResource === undefined ? {} : { projectResource: estate.projectResource }),
      ...(estate.xpnResources === undefined
        ? {}
        : { xpnResources: (estate.xpnResources.resources ?? []) as Json[] }),
      ...(estate.xpnHost === undefined ? {} : { xpnHost: estate.xpnHost }),
    });
    for (const { zone, instance } of recordedInstances(estate.instances)) {
      fake.addInstance({ ...instance, zone, name: String(instance.name) });
    }
    for (const rule of recordedFirewalls(estate.firewalls))
      fake.addFirewall({ ...rule, name: String(rule.name) });
    for (const page of estate.subnetworks ?? []) {
      for (const [scope, list] of Object.entries(
        (page.items ?? {}) as Record<string, { subnetworks?: Json[] }>,
      )) {
        for (const subnetwork of list.subnetworks ?? []) {
          const network = String(subnetwork.network).split("/").at(-1) as string;
          fake.addSubnetwork({
            ...subnetwork,
            region: zoneName(scope),
            name: String(subnetwork.name),
            network,
          });
        }
      }
    }
    return { api: sdkApiOn(fake.port, estate.project), stop: () => fake.stop() };
  },
};

// The SDK adapter replaying recorded responses

/** Routes answering each recorded body where the SDK asks for it, pages chained by their nextPageToken. */
function recordedRoutes(estate: RecordedEstate): RecordedRoutes {
  const base = `/compute/v1/projects/${estate.project}`;
  const routes: Record<string, { body: unknown }> = {};
  const pages = (path: string, bodies: readonly Json[]) => {
    let key = `GET ${base}/${path}`;
    for (const body of bodies) {
      routes[key] = { body };
      key = `GET ${base}/${path}?pageToken=${String(body.nextPageToken)}`;
    }
  };
  if (estate.instances !== undefined) pages("aggregated/instances", [estate.instances]);
  // instances.get answers with the instance as the recorded listing holds it.
  for (const { zone, instance } of recordedInstances(estate.instances)) {
    routes[`GET ${base}/zones/${zone}/instances/${String(instance.name)}`] = { body: instance };
  }
  if (estate.firewalls !== undefined) pages("global/firewalls", [estate.firewalls]);
  if (estate.subnetworks !== undefined) pages("aggregated/subnetworks", estate.subnetworks);
  if (estate.projectResource !== undefined) routes[`GET ${base}`] = { body: estate.projectResource };
  if (estate.xpnResources !== undefined) pages("getXpnResources", [estate.xpnResources]);
  if (estate.xpnHost !== undefined) routes[`GET ${base}/getXpnHost`] = { body: estate.xpnHost };
  return routes;
}

export const recordedResponses: GcpApiImplementation = {
  name: "SDK adapter (lib/clouds/gcp/sdk/api.ts) replaying recorded Compute responses",
  cannotArrange: "recorded responses are fixed: only the reads of recorded estates run over them",

  arrange() {
    return Promise.reject(new Error("recorded responses cannot be arranged"));
  },

  async hold(estate): Promise<HeldEstate> {
    const server = await startRecordedCompute(recordedRoutes(estate));
    return { api: sdkApiOn(server.port, estate.project), stop: () => server.stop() };
  },
};
