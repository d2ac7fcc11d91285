/** The implementations the AwsApi contract runs over (aws-api.test.ts), each as an AwsApiImplementation. */
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import type { AwsApi } from "../../lib/clouds/aws/api.js";
import { createSdkAwsApiFactory } from "../../lib/clouds/aws/sdk/api.js";
import { SimulatedEc2 } from "../../sim/clouds/aws/api.js";
import {
  type Ec2Replay,
  type Ec2Reply,
  recorded,
  recordedError,
  startEc2Replay,
} from "../support/ec2-replay.js";
import { type MotoServer, startMotoServer } from "../support/moto-server.js";
import type { AwsApiImplementation, AwsApiWorld, Launched } from "./aws-api.contract.js";
import { RECORDED_LOCATION, RECORDED_STATE, RECORDED_VPC } from "./aws-api.contract-recorded.js";

/** The samples' account is also moto's default account. */
export const CONTRACT_ACCOUNT = RECORDED_LOCATION.account;
const LOCATION = RECORDED_LOCATION;
/** Small pages, so that the contract's "every match" case spans several. */
const PAGE_SIZE = 5;
const CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };

function sdkApi(endpoint: string): AwsApi {
  return createSdkAwsApiFactory({
    accounts: [{ account: LOCATION.account, regions: [LOCATION.region] }],
    endpoint,
    credentials: CREDENTIALS,
    // One attempt: a recorded throttling answer is seen, not retried with back-off.
    maxAttempts: 1,
    pageSize: PAGE_SIZE,
    prefixListSettle: { pollIntervalMs: 10, timeoutMs: 2_000 },
  })(LOCATION);
}

/** A fresh simulator per case, holding the recorded objects beside what the case makes. */
export const simulator: AwsApiImplementation = {
  name: "the simulator",
  cannot: {},
  open: async () => {
    const sim = new SimulatedEc2(RECORDED_STATE);
    sim.addVpc(RECORDED_VPC.VpcId, RECORDED_VPC.CidrBlock);
    let vpcs = 0;
    let addresses = 10;
    const world: AwsApiWorld = {
      api: sim,
      newVpc: async (cidr) => {
        vpcs += 1;
        const vpcId = `vpc-0c0000000000${vpcs.toString(16).padStart(5, "0")}`;
        sim.createVpc(vpcId, cidr);
        return vpcId;
      },
      launch: async (vpcId, tags) => {
        addresses += 1;
        const range = (await sim.describeVpcs([{ Name: "vpc-id", Values: [vpcId] }]))[0]?.CidrBlock ?? "";
        const privateIp = range.replace(/\.0\.0\/16$/, `.0.${addresses}`);
        return sim.runInstance({ vpcId, privateIp, tags });
      },
      throttle: (on) => sim.setThrottle(on ? { throttleRate: 1, seed: 1 } : undefined),
    };
    return world;
  },
};

/**
 * Where moto_server (5.2) accepts what EC2 refuses, or lacks what EC2 makes: seen in these cases,
 * against docs/clouds.md. The simulator runs them; the SDK adapter's handling of EC2's answers is
 * pinned over recorded responses and by test/clouds/aws/sdk/.
 */
const MOTO_GAPS = {
  unknownReferences:
    "moto accepts a group in an unknown VPC, a rule naming an unknown prefix list and an unknown group on an interface, and reads an unknown list's entries",
  dependencies: "moto deletes a group or a list that is still in use",
  defaultGroups: "moto gives a VPC's default group no inbound rule, and deletes it",
  prefixListVersions: "moto ignores CurrentVersion and clears the name of a list it modifies",
  interfaceQuota: "moto puts any number of groups on an interface",
  ruleWeights: "moto counts a prefix-list reference as one rule, and IPv4 and IPv6 rules together",
  unknownListDeletes: "moto answers a delete of an unknown prefix list with HTTP 500",
  listReferenceFilter: "moto answers the ip-permission.prefix-list-id filter with HTTP 500 (not implemented)",
} as const;

/** The SDK adapter against one moto_server for every case; each case makes its own VPCs. */
export function againstMoto(): AwsApiImplementation {
  let moto: MotoServer | undefined;
  let setup: EC2Client | undefined;
  let api: AwsApi | undefined;
  let imageId: string | undefined;
  const subnets = new Map<string, string>();
  const client = () => {
    if (setup === undefined) throw new Error("moto_server has not started");
    return setup;
  };
  const world = (): AwsApiWorld => ({
    api: api as AwsApi,
    newVpc: async (cidr) => {
      const vpc = await client().send(new CreateVpcCommand({ CidrBlock: cidr }));
      const vpcId = vpc.Vpc?.VpcId ?? "";
      const subnet = await client().send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr }));
      subnets.set(vpcId, subnet.Subnet?.SubnetId ?? "");
      return vpcId;
    },
    launch: (vpcId, tags) => launchOnMoto(client(), imageId, subnets.get(vpcId), tags),
    throttle: () => {
      throw new Error("moto does not throttle on demand");
    },
  });
  return {
    name: "the SDK adapter against moto_server",
    cannot: {
      throttle: "moto does not throttle on demand",
      recorded: "moto makes its own ids, so the recorded objects cannot be put into it",
      ...MOTO_GAPS,
    },
    start: async () => {
      moto = await startMotoServer();
      setup = new EC2Client({ region: LOCATION.region, endpoint: moto.endpoint, credentials: CREDENTIALS });
      imageId = (await setup.send(new DescribeImagesCommand({}))).Images?.[0]?.ImageId;
      api = sdkApi(moto.endpoint);
    },
    stop: async () => {
      setup?.destroy();
      await moto?.stop();
    },
    open: async () => world(),
  };
}

async function launchOnMoto(
  client: EC2Client,
  imageId: string | undefined,
  subnetId: string | undefined,
  tags: Readonly<Record<string, string>>,
): Promise<Launched> {
  const tagList = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  const launched = await client.send(
    new RunInstancesCommand({
      ImageId: imageId,
      MinCount: 1,
      MaxCount: 1,
      SubnetId: subnetId,
      ...(tagList.length === 0 ? {} : { TagSpecifications: [{ ResourceType: "instance", Tags: tagList }] }),
    }),
  );
  const instance = launched.Instances?.[0];
  return {
    instanceId: instance?.InstanceId ?? "",
    networkInterfaceId: instance?.NetworkInterfaces?.[0]?.NetworkInterfaceId ?? "",
  };
}

/** The recorded EC2 responses, replayed to the SDK adapter: reads of the recorded objects, and EC2's errors. */
export function overRecordedResponses(): AwsApiImplementation {
  let replay: Ec2Replay | undefined;
  let api: AwsApi | undefined;
  let throttled = false;
  const notFound = () => recordedError("error-400-invalid-group-not-found.xml");
  const answer = (reply: () => Ec2Reply) => () =>
    throttled ? recordedError("error-503-request-limit-exceeded.xml") : reply();
  const awsOwned = (id: string | null) => id === "pl-63a5400a";
  const routes = {
    DescribeInstances: answer(() => recorded("describe-instances-vpc.xml")),
    DescribeNetworkInterfaces: answer(() => recorded("describe-network-interfaces.xml")),
    DescribeSecurityGroups: answer(() => recorded("describe-security-groups-vpc.xml")),
    DescribeVpcs: answer(() => recorded("describe-vpcs.xml")),
    DeleteSecurityGroup: answer(notFound),
    AuthorizeSecurityGroupIngress: answer(notFound),
    RevokeSecurityGroupIngress: answer(notFound),
  };
  return {
    name: "the SDK adapter over recorded EC2 responses",
    cannot: { estate: "recorded responses hold the recorded objects only, and change nothing" },
    start: async () => {
      replay = await startEc2Replay({
        ...routes,
        DescribeManagedPrefixLists: (params) =>
          answer(() =>
            awsOwned(params.get("Filter.1.Value.1"))
              ? recorded("describe-managed-prefix-lists-aws-owned.xml")
              : recorded("describe-managed-prefix-lists-customer.xml"),
          )(),
        GetManagedPrefixListEntries: (params) =>
          answer(() =>
            awsOwned(params.get("PrefixListId"))
              ? recorded("get-managed-prefix-list-entries-aws-owned.xml")
              : recorded("get-managed-prefix-list-entries.xml"),
          )(),
      });
      api = sdkApi(replay.endpoint);
    },
    stop: async () => {
      await replay?.stop();
    },
    open: async () => {
      throttled = false;
      return {
        api: api as AwsApi,
        newVpc: () => Promise.reject(new Error("recorded responses cannot make a VPC")),
        launch: () => Promise.reject(new Error("recorded responses cannot launch an instance")),
        throttle: (on) => {
          throttled = on;
        },
      };
    },
  };
}
