/** The GCP simulator as the simulation sees it (sim/clouds/simulator.ts): one SimulatedCompute per project. */
import {
  DEFAULT_GCP_PRIORITIES,
  DEFAULT_GCP_QUOTAS,
  type GcpQuotas,
} from "../../../lib/clouds/gcp/config.js";
import { parseGcpPush } from "../../../lib/clouds/gcp/ingest/events.js";
import { type GcpProjectState, networkUrl } from "../../../lib/clouds/gcp/model.js";
import type { GcpConnection } from "../../../lib/clouds/gcp/provider.js";
import { compareText } from "../../../lib/util/compare-text.js";
import type {
  Change,
  CloudSimulator,
  NativeTools,
  SimulatedPlaces,
  SimulatedWorkload,
} from "../simulator.js";
import { GCP_WRITE_METHODS, SimulatedCompute } from "./api.js";
import { buildGcp } from "./build.js";
import { type GcpInstanceMethod, gcpOperationPushes, labelList, type PubSubPushBody } from "./events.js";
import { exportGcpPlaces } from "./export-places.js";
import { GcpFlowLog } from "./flow-log.js";
import { checkNativeGcp } from "./native-check.js";
import { type NativeGcp, NativeGcpSchema } from "./native-schema.js";
import { gcpTagRules } from "./tag-rules.js";
import { type GcpNicNative, gcpTrafficView } from "./traffic.js";

/** The State document's GCP part: each list flat across projects, sorted by selfLink. */
export interface GcpStateDocument {
  readonly instances: GcpProjectState["instances"];
  readonly firewalls: GcpProjectState["firewalls"];
}

/** The audited instances method behind each change. */
const METHODS: Readonly<Record<Change, GcpInstanceMethod>> = {
  launched: "insert",
  retagged: "setLabels",
  stopped: "stop",
  started: "start",
  terminated: "delete",
};

function sortedBy<T>(items: T[], key: (item: T) => string): T[] {
  return items.sort((a, b) => compareText(key(a), key(b)));
}

function computeOf(
  places: SimulatedPlaces<SimulatedCompute>,
  workload: SimulatedWorkload<"gcp">,
): SimulatedCompute {
  return places.at(workload.parts.project);
}

/** The audit log's request fields of a method: the labels of insert and setLabels. */
function requestOf(method: GcpInstanceMethod, workload: SimulatedWorkload<"gcp">): Record<string, unknown> {
  if (method === "insert") return { name: workload.parts.instanceName, labels: labelList(workload.tags) };
  return method === "setLabels" ? { labels: labelList(workload.tags) } : {};
}

const tools: NativeTools<"gcp", SimulatedCompute> = {
  launch(places, workload) {
    const { project, zone, instanceName } = workload.parts;
    const network = places.network(workload.network)?.parts;
    if (network?.cloud !== "gcp")
      throw new TypeError(`${workload.network} is not a GCP network of the estate`);
    // Compute accepts a NIC in another project's network only from one of its Shared VPC service
    // projects: attach it first, on both sides, as an administrator does.
    if (network.project !== project) {
      places.at(project).setXpnHost(network.project);
      places.at(network.project).enableXpnResource(project);
    }
    const created = places.at(project).createInstance({
      zone,
      name: instanceName,
      labels: workload.tags,
      network: networkUrl(network.project, network.networkName),
      networkIP: workload.privateIp,
      ...(workload.publicIp === undefined ? {} : { natIP: workload.publicIp }),
    });
    return created.id;
  },
  retag(places, workload, tags) {
    computeOf(places, workload).setLabels(workload.parts.zone, workload.parts.instanceName, tags);
  },
  stop(places, workload) {
    computeOf(places, workload).setStatus(workload.parts.zone, workload.parts.instanceName, "TERMINATED");
  },
  start(places, workload, publicIp) {
    const options = publicIp === undefined ? {} : { natIP: publicIp };
    computeOf(places, workload).setStatus(
      workload.parts.zone,
      workload.parts.instanceName,
      "RUNNING",
      options,
    );
  },
  terminate(places, workload) {
    computeOf(places, workload).deleteInstance(workload.parts.zone, workload.parts.instanceName);
  },
};

export const gcpSimulator: CloudSimulator<
  "gcp",
  SimulatedCompute,
  GcpProjectState,
  GcpConnection,
  GcpQuotas,
  NativeGcp,
  PubSubPushBody,
  GcpStateDocument,
  GcpNicNative
> = {
  cloud: "gcp",
  writeMethods: GCP_WRITE_METHODS,
  // Compute's maxResults is at most 500 (docs/clouds.md, "GCP Compute operations and rate limits").
  pageSizes: {
    listInstances: 500,
    listFirewalls: 500,
    listFirewallsNamed: 500,
    listSubnetworks: 500,
    getXpnResources: 500,
  },
  build(estate, index, limits) {
    const built = buildGcp(estate, index, limits);
    return { sims: built.sims, nativeIds: built.instanceIds };
  },
  providerSettings: () => ({ quotas: DEFAULT_GCP_QUOTAS, priorities: DEFAULT_GCP_PRIORITIES }),
  empty: (key, limits) => SimulatedCompute.empty(key, limits ? { limits } : {}),
  connection: (keys, port) => ({
    apiFor: (project) => port(project),
    projects: [...keys],
    // Any of them may be a Shared VPC host: service projects attached later are read too.
    hosts: [...keys],
  }),
  placeOf: (workload) => workload.parts.project,
  // Shared VPC: an instance of a service project has its NIC in the host project's network.
  placementProblem: () => undefined,
  nativeSchema: NativeGcpSchema,
  checkNative: checkNativeGcp,
  tagRules: gcpTagRules,
  exportLive: exportGcpPlaces,
  eventsOf(change, workload, _before, { ids, tick }) {
    const method = METHODS[change];
    const { project, zone, instanceName } = workload.parts;
    const instance = { project, zone, name: instanceName, instanceId: workload.nativeId ?? "0" };
    const times = { first: tick(), last: tick() };
    return gcpOperationPushes(ids, instance, method, requestOf(method, workload), times);
  },
  queueMessagesOf(body) {
    const result = parseGcpPush(body);
    return result.kind === "event" ? [{ kind: "workload", event: result.event }] : [];
  },
  stateOut: (states) => ({
    // selfLink is …/projects/<p>/zones/<z>/instances/<n> and …/projects/<p>/global/firewalls/<n>.
    instances: sortedBy(
      states.flatMap((p) => p.instances),
      (i) => i.selfLink ?? `${i.zone}/instances/${i.name}`,
    ),
    firewalls: sortedBy(
      states.flatMap((p) => p.firewalls),
      (f) => f.selfLink ?? f.name,
    ),
  }),
  tools,
  traffic: { view: gcpTrafficView, newLog: () => new GcpFlowLog() },
};
