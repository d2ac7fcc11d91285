import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type {
  AwsLocation,
  Instance,
  NetworkInterface,
  SecurityGroup,
  Vpc,
} from "../../../lib/clouds/aws/model.js";
import { AwsOwnership } from "../../../lib/clouds/aws/ownership.js";
import { RecordKey } from "../../../lib/clouds/common/seals.js";
import { SimulatedEc2 } from "../../../sim/clouds/aws/api.js";
import { type AwsEstateParts, exportAws } from "../../../sim/clouds/aws/export.js";
import { loadEstateText } from "../../../sim/estate.js";
import { sdkApi } from "../../clouds/aws/sdk/api-fixtures.js";
import { type Ec2Replay, type Ec2Reply, recorded, startEc2Replay } from "../../support/ec2-replay.js";
import { AWS_OWNERSHIP, TEST_RECORD_KEY } from "../../support/seals.js";

/**
 * The AWS half of `estate export`: DescribeVpcs through the real EC2 client and in the simulator,
 * and exportAws on recorded responses (test/fixtures/aws, sources in SOURCES.md there), whose
 * output must be an estate that the estate checks accept.
 */

/** The ENI sample's account, and its region (its availability zone is ap-southeast-1b). */
const LOCATION: AwsLocation = { account: "123456789012", region: "ap-southeast-1" };
const LIVE = new AwsOwnership(RecordKey.fromText(TEST_RECORD_KEY, "the tests"));
const OWNERS = { live: LIVE, simulator: AWS_OWNERSHIP };
const FOREIGN = new AwsOwnership(
  RecordKey.fromText("another installation's record key, 32+ chars", "a test"),
);

let replay: Ec2Replay | undefined;
afterEach(async () => {
  await replay?.stop();
  replay = undefined;
});

async function apiAnswering(routes: Readonly<Record<string, Ec2Reply>>) {
  replay = await startEc2Replay(routes);
  return sdkApi(
    {
      endpoint: replay.endpoint,
      accounts: [{ account: LOCATION.account, regions: [LOCATION.region] }],
      maxAttempts: 1,
    },
    LOCATION,
  );
}

/** The DescribeVpcs sample with its VPC renamed to `vpcId`: the samples come from different accounts. */
function vpcsSampleAs(vpcId: string): Ec2Reply {
  const reply = recorded("describe-vpcs.xml");
  return { status: reply.status, body: reply.body.replace("vpc-8d2910e4", vpcId) };
}

/** The estate that these parts make on their own, as the estate loader checks it. */
function checked(parts: AwsEstateParts) {
  const text = stringify({
    apiVersion: "segsync/v1",
    kind: "Estate",
    networks: parts.networks,
    workloads: parts.workloads,
    native: { aws: parts.native },
  });
  return loadEstateText(text, "exported.yaml");
}

/** The instance the ENI sample is attached to, as DescribeInstances would list it (no recording of it exists). */
function instanceOf(eni: NetworkInterface, tags: Record<string, string>): Instance {
  return {
    InstanceId: eni.Attachment?.InstanceId ?? "",
    State: { Name: "running" },
    VpcId: eni.VpcId,
    PrivateIpAddress: eni.PrivateIpAddress,
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    NetworkInterfaces: [
      {
        NetworkInterfaceId: eni.NetworkInterfaceId,
        VpcId: eni.VpcId,
        PrivateIpAddress: eni.PrivateIpAddress,
        Attachment: { DeviceIndex: 0 },
        Groups: eni.Groups,
      },
    ],
  };
}

function group(
  overrides: Partial<SecurityGroup> & Pick<SecurityGroup, "GroupId" | "GroupName">,
): SecurityGroup {
  return {
    Description: "test",
    VpcId: "vpc-cc3c87a5",
    OwnerId: LOCATION.account,
    IpPermissions: [],
    IpPermissionsEgress: [],
    Tags: [],
    ...overrides,
  };
}

/** The recorded ENI eni-0f62d866 (vpc-cc3c87a5, 10.0.0.146, default group sg-3f4b5653) and its VPC. */
async function recordedEniAndVpc(): Promise<{ eni: NetworkInterface; vpcs: Vpc[] }> {
  const api = await apiAnswering({
    DescribeNetworkInterfaces: recorded("describe-network-interfaces.xml"),
    DescribeVpcs: vpcsSampleAs("vpc-cc3c87a5"),
  });
  const enis = await api.describeNetworkInterfaces([
    { Name: "attachment.instance-id", Values: ["i-22197876"] },
  ]);
  const eni = enis.find((candidate) => candidate.NetworkInterfaceId === "eni-0f62d866");
  if (eni === undefined) throw new Error("the sample lost eni-0f62d866");
  return { eni, vpcs: await api.describeVpcs([{ Name: "vpc-id", Values: ["vpc-cc3c87a5"] }]) };
}

describe("DescribeVpcs", () => {
  it("reads the recorded response through the real EC2 client, filtered", async () => {
    const api = await apiAnswering({ DescribeVpcs: recorded("describe-vpcs.xml") });
    const vpcs = await api.describeVpcs([{ Name: "vpc-id", Values: ["vpc-8d2910e4"] }]);
    expect(vpcs).toEqual([{ VpcId: "vpc-8d2910e4", CidrBlock: "10.0.0.0/16" }]);
    const [request] = replay?.requests ?? [];
    expect(request?.get("Filter.1.Name")).toBe("vpc-id");
    expect(request?.get("Filter.1.Value.1")).toBe("vpc-8d2910e4");
  });

  it("in the simulator: the ranges the estate gave, filtered as EC2 filters, and logged as a read", async () => {
    const sim = SimulatedEc2.empty(LOCATION);
    sim.addVpc("vpc-0a1b2c3d", "10.1.0.0/16");
    sim.addVpc("vpc-0f9e8d7c", "10.2.0.0/16");
    expect(await sim.describeVpcs([{ Name: "vpc-id", Values: ["vpc-0f9e8d7c"] }])).toEqual([
      { VpcId: "vpc-0f9e8d7c", CidrBlock: "10.2.0.0/16" },
    ]);
    expect(await sim.describeVpcs([{ Name: "cidr-block", Values: ["10.1.*"] }])).toEqual([
      { VpcId: "vpc-0a1b2c3d", CidrBlock: "10.1.0.0/16" },
    ]);
    await expect(sim.describeVpcs([{ Name: "vpc-name", Values: ["x"] }])).rejects.toThrow(/vpc-name/);
    expect(sim.calls.map((call) => call.method)).toEqual(["describeVpcs", "describeVpcs", "describeVpcs"]);
  });
});

describe("exportAws on recorded responses", () => {
  it("makes an estate the checks accept: the VPC, the workload on its primary ENI, its group", async () => {
    const { eni, vpcs } = await recordedEniAndVpc();
    const parts = exportAws(
      {
        state: {
          ...LOCATION,
          instances: [instanceOf(eni, { "seg-app": "shop", Name: "web-1" })],
          networkInterfaces: [eni],
          securityGroups: [group({ GroupId: "sg-3f4b5653", GroupName: "default" })],
          managedPrefixLists: [],
        },
        vpcs,
      },
      OWNERS,
    );
    expect(parts.findings).toEqual([]);
    expect(parts.networks).toEqual([
      { id: "aws:123456789012:ap-southeast-1:vpc-cc3c87a5", cidr: "10.0.0.0/16" },
    ]);
    expect(parts.workloads).toEqual([
      {
        id: "aws:123456789012:ap-southeast-1:i-22197876",
        network: "aws:123456789012:ap-southeast-1:vpc-cc3c87a5",
        privateIp: "10.0.0.146",
        state: "running",
        tags: { Name: "web-1", "seg-app": "shop" },
      },
    ]);
    expect(parts.native.networkInterfaces).toEqual([
      {
        NetworkInterfaceId: "eni-0f62d866",
        VpcId: "vpc-cc3c87a5",
        SubnetId: "subnet-c53c87ac",
        OwnerId: "123456789012",
        Status: "in-use",
        PrivateIpAddress: "10.0.0.146",
        Groups: [{ GroupId: "sg-3f4b5653", GroupName: "default" }],
        Attachment: { InstanceId: "i-22197876", DeviceIndex: 0, AttachmentId: "eni-attach-6537fc0c" },
        TagSet: [],
      },
    ]);
    const loaded = checked(parts);
    expect(loaded.ok ? [] : loaded.issues).toEqual([]);
  });

  it("leaves out, each with a finding, what an estate cannot hold: reserved tags, dangling references, secondary ENIs", async () => {
    const { eni, vpcs } = await recordedEniAndVpc();
    const instance = instanceOf(eni, { "seg-app": "shop", "aws:cloudformation:stack-name": "shop" });
    const secondary = { ...eni, NetworkInterfaceId: "eni-0f62d867", PrivateIpAddress: "10.0.0.147" };
    const withSecondary: Instance = {
      ...instance,
      NetworkInterfaces: [
        ...instance.NetworkInterfaces,
        { ...secondary, Attachment: { DeviceIndex: 1 }, Groups: eni.Groups },
      ],
    };
    const parts = exportAws(
      {
        state: {
          ...LOCATION,
          instances: [withSecondary],
          networkInterfaces: [
            eni,
            { ...secondary, Attachment: { InstanceId: "i-22197876", DeviceIndex: 1 } },
          ],
          securityGroups: [
            group({
              GroupId: "sg-3f4b5653",
              GroupName: "default",
              IpPermissions: [
                {
                  IpProtocol: "tcp",
                  FromPort: 22,
                  ToPort: 22,
                  IpRanges: [{ CidrIp: "10.0.0.0/16" }],
                  Ipv6Ranges: [],
                  PrefixListIds: [{ PrefixListId: "pl-00000000" }],
                  UserIdGroupPairs: [{ GroupId: "sg-3f4b5653" }, { GroupId: "sg-deadbeef" }],
                },
              ],
            }),
          ],
          managedPrefixLists: [],
        },
        vpcs,
      },
      OWNERS,
    );
    expect(parts.findings.map((finding) => finding.code).sort()).toEqual([
      "aws-export-reference",
      "aws-export-reference",
      "aws-export-secondary-eni",
      "aws-export-tag",
    ]);
    expect(parts.workloads[0]?.tags).toEqual({ "seg-app": "shop" });
    expect(parts.native.networkInterfaces.map((exported) => exported.NetworkInterfaceId)).toEqual([
      "eni-0f62d866",
    ]);
    expect(parts.native.securityGroups[0]?.IpPermissions[0]).toMatchObject({
      IpRanges: [{ CidrIp: "10.0.0.0/16" }],
      PrefixListIds: [],
      UserIdGroupPairs: [{ GroupId: "sg-3f4b5653" }],
    });
    const loaded = checked(parts);
    expect(loaded.ok ? [] : loaded.issues).toEqual([]);
  });

  it("leaves out a VPC without a usable range, and what is in it", async () => {
    const { eni } = await recordedEniAndVpc();
    const parts = exportAws(
      {
        state: {
          ...LOCATION,
          instances: [instanceOf(eni, { "seg-app": "shop" })],
          networkInterfaces: [eni],
          securityGroups: [group({ GroupId: "sg-3f4b5653", GroupName: "default" })],
          managedPrefixLists: [],
        },
        vpcs: [{ VpcId: "vpc-cc3c87a5" }],
      },
      OWNERS,
    );
    expect(parts.findings.map((finding) => finding.code)).toEqual(["aws-export-vpc-range"]);
    expect([
      parts.networks,
      parts.workloads,
      parts.native.securityGroups,
      parts.native.networkInterfaces,
    ]).toEqual([[], [], [], []]);
  });
});

describe("exportAws and what segsync owns", () => {
  const VPC = "vpc-cc3c87a5";
  const NAME = "segsync-3f2a";

  it("seals segsync's groups, prefix lists and records again under the simulator's key, and nothing else", async () => {
    const { eni, vpcs } = await recordedEniAndVpc();
    const owned = group({
      GroupId: "sg-0a0a0a0a",
      GroupName: NAME,
      Tags: LIVE.groupTags(LOCATION, VPC, NAME, "app=shop"),
    });
    const forged = group({
      GroupId: "sg-0b0b0b0b",
      GroupName: "segsync-forged",
      Tags: FOREIGN.groupTags(LOCATION, VPC, "segsync-forged", "app=shop"),
    });
    const recordedEni: NetworkInterface = {
      ...eni,
      Groups: [{ GroupId: owned.GroupId, GroupName: owned.GroupName }],
      TagSet: LIVE.recordTags(LOCATION, eni.NetworkInterfaceId, ["sg-3f4b5653"]),
    };
    const list = {
      PrefixListId: "pl-0c0c0c0c",
      PrefixListName: "segsync-web",
      AddressFamily: "IPv4" as const,
      MaxEntries: 10,
      Version: 2,
      OwnerId: LOCATION.account,
      State: "create-complete",
      Tags: [...LIVE.prefixListTags("app=shop"), LIVE.prefixListSeal(LOCATION, "pl-0c0c0c0c")],
      Entries: [{ Cidr: "10.0.0.146/32" }],
    };
    const parts = exportAws(
      {
        state: {
          ...LOCATION,
          instances: [instanceOf(recordedEni, { "seg-app": "shop" })],
          networkInterfaces: [recordedEni],
          securityGroups: [group({ GroupId: "sg-3f4b5653", GroupName: "default" }), owned, forged],
          managedPrefixLists: [list],
        },
        vpcs,
      },
      OWNERS,
    );
    expect(parts.resealed).toBe(3);
    const [, exportedOwned, exportedForged] = parts.native.securityGroups;
    expect(AWS_OWNERSHIP.ownsGroup(LOCATION, { ...owned, Tags: exportedOwned?.Tags ?? [] })).toBe(true);
    expect(exportedOwned?.Tags.map((tag) => tag.Key)).toEqual(owned.Tags.map((tag) => tag.Key));
    expect(exportedForged?.Tags).toEqual(forged.Tags);
    expect(AWS_OWNERSHIP.ownsGroup(LOCATION, { ...forged, Tags: exportedForged?.Tags ?? [] })).toBe(false);
    const [exportedList] = parts.native.managedPrefixLists;
    expect(AWS_OWNERSHIP.ownsPrefixList(LOCATION, { ...list, Tags: exportedList?.Tags ?? [] })).toBe(true);
    expect(exportedList?.PrefixListArn).toBe(
      "arn:aws:ec2:ap-southeast-1:123456789012:prefix-list/pl-0c0c0c0c",
    );
    const [exportedEni] = parts.native.networkInterfaces;
    expect(
      AWS_OWNERSHIP.recordedOriginals(LOCATION, { ...recordedEni, TagSet: exportedEni?.TagSet ?? [] }),
    ).toEqual(["sg-3f4b5653"]);
    const loaded = checked(parts);
    expect(loaded.ok ? [] : loaded.issues).toEqual([]);
  });
});
