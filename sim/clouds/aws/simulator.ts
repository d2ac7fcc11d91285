/** The AWS simulator as the simulation sees it (sim/clouds/simulator.ts): one SimulatedEc2 per account and region. */
import { type AwsQuotas, DEFAULT_AWS_QUOTAS } from "../../../lib/clouds/aws/config.js";
import { parseAwsEvent } from "../../../lib/clouds/aws/ingest/events.js";
import type { AwsInstanceStateName, AwsRegionState } from "../../../lib/clouds/aws/model.js";
import type { AwsConnection } from "../../../lib/clouds/aws/provider.js";
import { compareText } from "../../../lib/util/compare-text.js";
import type {
  Change,
  CloudSimulator,
  NativeTools,
  SimulatedPlaces,
  SimulatedWorkload,
} from "../simulator.js";
import { AWS_WRITE_METHODS, SimulatedEc2 } from "./api.js";
import { buildAws } from "./build.js";
import { type AwsEventBody, awsStateChange, awsTagChange } from "./events.js";
import { exportAwsPlaces } from "./export-places.js";
import { AwsFlowLog } from "./flow-log.js";
import { checkNativeAws } from "./native-check.js";
import { type NativeAws, NativeAwsSchema } from "./native-schema.js";
import { awsTagRules } from "./tag-rules.js";
import { type AwsNicNative, awsTrafficView } from "./traffic.js";

/** The State document's AWS part: each list flat across regions, sorted by id. */
export interface AwsStateDocument {
  readonly instances: AwsRegionState["instances"];
  readonly networkInterfaces: AwsRegionState["networkInterfaces"];
  readonly securityGroups: AwsRegionState["securityGroups"];
  readonly managedPrefixLists: AwsRegionState["managedPrefixLists"];
}

/** The instance states EventBridge announces for each change; a re-tag is a Tag Change event. */
const STATES: Readonly<Record<Exclude<Change, "retagged">, readonly AwsInstanceStateName[]>> = {
  launched: ["pending", "running"],
  started: ["pending", "running"],
  stopped: ["stopping", "stopped"],
  terminated: ["shutting-down", "terminated"],
};

function sortedBy<T>(items: T[], key: (item: T) => string): T[] {
  return items.sort((a, b) => compareText(key(a), key(b)));
}

function ec2Of(places: SimulatedPlaces<SimulatedEc2>, workload: SimulatedWorkload<"aws">): SimulatedEc2 {
  return places.at(`${workload.parts.account}:${workload.parts.region}`);
}

const tools: NativeTools<"aws", SimulatedEc2> = {
  launch(places, workload) {
    const network = places.network(workload.network)?.parts;
    if (network?.cloud !== "aws")
      throw new TypeError(`${workload.network} is not an AWS network of the estate`);
    ec2Of(places, workload).runInstance({
      instanceId: workload.parts.instanceId,
      vpcId: network.vpcId,
      privateIp: workload.privateIp,
      ...(workload.publicIp === undefined ? {} : { publicIp: workload.publicIp }),
      tags: workload.tags,
    });
    return undefined;
  },
  retag: (places, workload, tags) => ec2Of(places, workload).setInstanceTags(workload.parts.instanceId, tags),
  stop: (places, workload) => ec2Of(places, workload).setInstanceState(workload.parts.instanceId, "stopped"),
  start(places, workload, publicIp) {
    const options = publicIp === undefined ? {} : { publicIp };
    ec2Of(places, workload).setInstanceState(workload.parts.instanceId, "running", options);
  },
  terminate: (places, workload) => ec2Of(places, workload).terminateInstance(workload.parts.instanceId),
};

export const awsSimulator: CloudSimulator<
  "aws",
  SimulatedEc2,
  AwsRegionState,
  AwsConnection,
  AwsQuotas,
  NativeAws,
  AwsEventBody,
  AwsStateDocument,
  AwsNicNative
> = {
  cloud: "aws",
  writeMethods: AWS_WRITE_METHODS,
  // EC2's MaxResults bounds, the largest of which sdk/api.ts asks for (docs/clouds.md, "AWS API throttling").
  pageSizes: {
    describeInstances: 1000,
    describeNetworkInterfaces: 1000,
    describeSecurityGroups: 1000,
    describeVpcs: 1000,
    describeManagedPrefixLists: 100,
    getManagedPrefixListEntries: 100,
  },
  build: (estate, index, quotas) => ({ sims: buildAws(estate, index, quotas) }),
  providerSettings: () => ({ quotas: DEFAULT_AWS_QUOTAS }),
  empty(key, quotas) {
    const [account = "", region = ""] = key.split(":");
    return SimulatedEc2.empty({ account, region }, quotas ? { quotas } : {});
  },
  connection: (keys, port) => ({
    apiFor: (location) => port(`${location.account}:${location.region}`),
    locations: keys.map((key) => {
      const [account = "", region = ""] = key.split(":");
      return { account, region };
    }),
  }),
  placeOf: (workload) => `${workload.parts.account}:${workload.parts.region}`,
  placementProblem: (workload, network, networkId) =>
    workload.account === network.account && workload.region === network.region
      ? undefined
      : `network ${networkId} is in ${network.account}:${network.region}, but the workload is in ${workload.account}:${workload.region}`,
  nativeSchema: NativeAwsSchema,
  checkNative: checkNativeAws,
  tagRules: awsTagRules,
  exportLive: exportAwsPlaces,
  eventsOf(change, workload, before, { ids, tick }) {
    if (change === "retagged") {
      return [
        awsTagChange(ids, workload.parts, before?.tags ?? {}, workload.tags, workload.tagVersion, tick()),
      ];
    }
    return STATES[change].map((state) => awsStateChange(ids, workload.parts, state, tick()));
  },
  queueMessagesOf: (body) => [{ kind: "workload", event: parseAwsEvent(body) }],
  stateOut: (states) => ({
    instances: sortedBy(
      states.flatMap((r) => r.instances),
      (i) => i.InstanceId,
    ),
    networkInterfaces: sortedBy(
      states.flatMap((r) => r.networkInterfaces),
      (n) => n.NetworkInterfaceId,
    ),
    securityGroups: sortedBy(
      states.flatMap((r) => r.securityGroups),
      (g) => g.GroupId,
    ),
    managedPrefixLists: sortedBy(
      states.flatMap((r) => r.managedPrefixLists),
      (l) => l.PrefixListId,
    ),
  }),
  tools,
  traffic: { view: awsTrafficView, newLog: () => new AwsFlowLog() },
};
