/**
 * The AWS subjects of the CloudProvider contract: the simulated EC2 of one location, and the SDK
 * adapter against moto_server (test/support/moto-server.ts), each seeded with CONTRACT_ESTATE.
 */
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  type EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import type { AwsApi } from "../../../lib/clouds/aws/api.js";
import { DEFAULT_AWS_QUOTAS } from "../../../lib/clouds/aws/config.js";
import type { AwsLocation } from "../../../lib/clouds/aws/model.js";
import { type AwsConnection, type AwsProvider, createAwsProvider } from "../../../lib/clouds/aws/provider.js";
import { createSdkAwsApiFactory, SdkAwsApi } from "../../../lib/clouds/aws/sdk/api.js";
import { formatNetworkId, formatWorkloadId } from "../../../lib/inventory/ids.js";
import type { Workload } from "../../../lib/inventory/model.js";
import { compareText } from "../../../lib/util/compare-text.js";
import { SimulatedEc2 } from "../../../sim/clouds/aws/api.js";
import { type MotoServer, startMotoServer } from "../../support/moto-server.js";
import { SEALER } from "../../support/seals.js";
import {
  type Agreement,
  CONTRACT_ESTATE,
  type ContractName,
  EGRESS_NOT_MODELLED,
  type SeededPlace,
  type SubjectOf,
} from "../provider.contract.js";

type AwsSubject = SubjectOf<AwsProvider>;

const provider = createAwsProvider({ quotas: DEFAULT_AWS_QUOTAS, sealer: SEALER });
/** moto's default account; the simulator's place is the same, so that their plans compare. */
const MOTO: AwsLocation = { account: "123456789012", region: "eu-west-1" };
const SIMULATED = MOTO;
const CIDR = "10.70.0.0/16";
const address = (name: ContractName) => `10.70.1.${CONTRACT_ESTATE[name].host}`;

function seededWorkload(
  location: AwsLocation,
  vpcId: string,
  instanceId: string,
  name: ContractName,
): Workload {
  return {
    id: formatWorkloadId({ cloud: "aws", ...location, instanceId }),
    state: "running",
    nics: [{ network: formatNetworkId({ cloud: "aws", ...location, vpcId }), privateIp: address(name) }],
    tags: CONTRACT_ESTATE[name].tags,
  };
}

function place(
  location: AwsLocation,
  connection: AwsConnection,
  vpcId: string,
  ids: Record<ContractName, string>,
) {
  const names = Object.keys(CONTRACT_ESTATE) as ContractName[];
  return {
    connection,
    workloads: Object.fromEntries(
      names.map((name) => [name, seededWorkload(location, vpcId, ids[name], name)]),
    ) as Record<ContractName, Workload>,
    network: formatNetworkId({ cloud: "aws", ...location, vpcId }),
    goneWorkload: formatWorkloadId({ cloud: "aws", ...location, instanceId: "i-0fffffffffffffff0" }),
    unmanagedNetwork: formatNetworkId({
      cloud: "aws",
      account: location.account,
      region: "ap-south-1",
      vpcId: "vpc-0e0e0e0e",
    }),
  } satisfies SeededPlace<AwsConnection>;
}

/** The seeded place of the running case. */
let simulated: { sim: SimulatedEc2; ids: Record<ContractName, string> } | undefined;

export const awsSimulator: AwsSubject = {
  name: "AWS simulator",
  provider,
  cannot: { evaluateEgress: EGRESS_NOT_MODELLED },
  async removeWorkload(name) {
    if (simulated === undefined) throw new Error("nothing seeded");
    simulated.sim.terminateInstance(simulated.ids[name]);
  },
  async seed() {
    const sim = SimulatedEc2.empty(SIMULATED, { quotas: DEFAULT_AWS_QUOTAS });
    const vpcId = "vpc-0c0c0c0c";
    sim.addVpc(vpcId, CIDR);
    const ids = {} as Record<ContractName, string>;
    for (const [at, name] of (Object.keys(CONTRACT_ESTATE) as ContractName[]).entries()) {
      ids[name] = `i-0c0000000000000${at + 1}`;
      sim.runInstance({
        instanceId: ids[name],
        vpcId,
        privateIp: address(name),
        tags: CONTRACT_ESTATE[name].tags,
      });
    }
    simulated = { sim, ids };
    return place(SIMULATED, { apiFor: () => sim, locations: [SIMULATED] }, vpcId, ids);
  },
};

function clientOf(api: AwsApi): EC2Client {
  if (!(api instanceof SdkAwsApi)) throw new TypeError("the moto subject's API is not an SdkAwsApi");
  return api.client;
}

let moto: MotoServer | undefined;
let onMoto: { client: EC2Client; ids: Record<ContractName, string> } | undefined;

export const awsOnMoto: AwsSubject = {
  name: "AWS SDK on moto",
  provider,
  cannot: {
    evaluateEgress: EGRESS_NOT_MODELLED,
    refused:
      "after TerminateInstances moto still accepts the plan's writes to the instance's ENI (EC2 deletes the ENI with its instance), so nothing is refused",
  },

  async start() {
    moto = await startMotoServer();
  },
  async stop() {
    await moto?.stop();
    moto = undefined;
  },
  async removeWorkload(name) {
    if (onMoto === undefined) throw new Error("nothing seeded");
    await onMoto.client.send(new TerminateInstancesCommand({ InstanceIds: [onMoto.ids[name]] }));
  },
  async seed() {
    if (moto === undefined) throw new Error("moto_server did not start");
    await moto.reset();
    const apiFor = createSdkAwsApiFactory({
      accounts: [{ account: MOTO.account, regions: [MOTO.region] }],
      endpoint: moto.endpoint,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
      maxAttempts: 1,
      prefixListSettle: { pollIntervalMs: 10, timeoutMs: 2_000 },
    });
    const client = clientOf(apiFor(MOTO));
    const vpcId = (await client.send(new CreateVpcCommand({ CidrBlock: CIDR }))).Vpc?.VpcId ?? "";
    const subnet = await client.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.70.1.0/24" }));
    const imageId = (await client.send(new DescribeImagesCommand({}))).Images?.[0]?.ImageId ?? "";
    const ids = {} as Record<ContractName, string>;
    for (const name of Object.keys(CONTRACT_ESTATE) as ContractName[]) {
      const launched = await client.send(
        new RunInstancesCommand({
          ImageId: imageId,
          MinCount: 1,
          MaxCount: 1,
          NetworkInterfaces: [
            { DeviceIndex: 0, SubnetId: subnet.Subnet?.SubnetId ?? "", PrivateIpAddress: address(name) },
          ],
          TagSpecifications: [
            {
              ResourceType: "instance",
              Tags: Object.entries(CONTRACT_ESTATE[name].tags).map(([Key, Value]) => ({ Key, Value })),
            },
          ],
        }),
      );
      ids[name] = launched.Instances?.[0]?.InstanceId ?? "";
    }
    onMoto = { client, ids };
    return place(MOTO, { apiFor, locations: [MOTO] }, vpcId, ids);
  },
};

/**
 * The ids EC2 assigns (instances, their ENIs, the VPC, segsync's groups) as the contract's names, and the plans
 * sorted: a plan's order follows those ids, so it differs between the simulator and moto.
 */
export function withAwsIdsByName(
  seen: Agreement,
  seeded: SeededPlace<AwsConnection>,
  read: readonly Workload[],
): unknown {
  const names = new Map<string, string>([[parseVpcId(seeded.network), "vpc-(contract)"]]);
  for (const [name, workload] of Object.entries(seeded.workloads)) {
    names.set(workload.id.split(":").at(-1) ?? "", `i-(${name})`);
    const nic = read.find((found) => found.id === workload.id)?.nics[0]?.id;
    if (nic !== undefined) names.set(nic, `eni-(${name})`);
  }
  let text = JSON.stringify(seen);
  for (const [id, name] of names) text = text.replaceAll(id, name);
  // A group segsync made is named beside its id: the name is what must agree.
  text = text.replace(/ \(sg-[0-9a-f]+\)/g, " (sg-(its id))");
  const named = JSON.parse(text) as Agreement;
  const sorted = <T>(items: readonly T[]) =>
    [...items].sort((a, b) => compareText(JSON.stringify(a), JSON.stringify(b)));
  return {
    ...named,
    plan: sorted(named.plan),
    removal: sorted(named.removal),
    workloads: sorted(named.workloads),
  };
}

function parseVpcId(network: string): string {
  return network.split(":").at(-1) ?? "";
}
