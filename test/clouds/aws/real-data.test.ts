import { afterEach, describe, expect, it } from "vitest";
import { additiveFindings } from "../../../lib/clouds/aws/additive.js";
import { discoverAws, toWorkload } from "../../../lib/clouds/aws/discover.js";
import {
  AwsAccessError,
  AwsApiError,
  AwsNotFoundError,
  AwsThrottledError,
} from "../../../lib/clouds/aws/errors.js";
import { AwsEventError } from "../../../lib/clouds/aws/ingest/errors.js";
import { parseAwsEvent } from "../../../lib/clouds/aws/ingest/events.js";
import type { AwsLocation } from "../../../lib/clouds/aws/model.js";
import type { SdkAwsApi } from "../../../lib/clouds/aws/sdk/api.js";
import type { DestinationIntent } from "../../../lib/compile/model.js";
import {
  awsFixture,
  type Ec2Replay,
  type Ec2Reply,
  type Ec2Route,
  recorded,
  recordedError,
  startEc2Replay,
} from "../../support/ec2-replay.js";
import { AWS_OWNERSHIP } from "../../support/seals.js";
import { sdkApi } from "./sdk/api-fixtures.js";

/**
 * The recorded EC2 responses of test/fixtures/aws (sources: SOURCES.md there), parsed by the real
 * EC2Client and modelled by SdkAwsApi, then turned into workloads and discoveries; and the
 * recorded EventBridge events, parsed by parseAwsEvent.
 */

/** The account of the samples; eu-west-1 is the region their DNS names are in. */
const LOCATION: AwsLocation = { account: "123456789012", region: "eu-west-1" };
const WHERE = "123456789012/eu-west-1";
const ANY = [{ Name: "tag-key", Values: ["seg-app"] }];

let replay: Ec2Replay | undefined;
afterEach(async () => {
  await replay?.stop();
  replay = undefined;
});

/** SdkAwsApi over a real EC2Client that talks to a local server answering with `routes`. */
async function apiAnswering(routes: Readonly<Record<string, Ec2Route>>): Promise<SdkAwsApi> {
  replay = await startEc2Replay(routes);
  return sdkApi(
    {
      endpoint: replay.endpoint,
      accounts: [{ account: LOCATION.account, regions: [LOCATION.region] }],
      // One attempt: an error sample is answered once, not retried with back-off.
      maxAttempts: 1,
    },
    LOCATION,
  );
}

/** `reply` with `from` (which must occur once) replaced by `to`: one object mangled. */
function edited(reply: Ec2Reply, from: string, to: string): Ec2Reply {
  if (reply.body.split(from).length !== 2) throw new Error(`the body does not contain ${from} exactly once`);
  return { status: reply.status, body: reply.body.replace(from, to) };
}

function mangled(path: string, from: string, to: string): Ec2Reply {
  return edited(recorded(path), from, to);
}

/** The recorded response with no items in `setElement`: what EC2 answers when nothing matches. */
function emptied(path: string, setElement: string): Ec2Reply {
  const { body } = recorded(path);
  const open = body.indexOf(`<${setElement}>`) + setElement.length + 2;
  return { status: 200, body: body.slice(0, open) + body.slice(body.indexOf(`</${setElement}>`)) };
}

/** The items of two recorded responses of the same Action, in one response. */
function joined(first: string, second: string, setElement: string): Ec2Reply {
  const items = (path: string) => {
    const { body } = recorded(path);
    return {
      body,
      open: body.indexOf(`<${setElement}>`) + setElement.length + 2,
      close: body.indexOf(`</${setElement}>`),
    };
  };
  const a = items(first);
  const b = items(second);
  return {
    status: 200,
    body: a.body.slice(0, a.close) + b.body.slice(b.open, b.close) + a.body.slice(a.close),
  };
}

// The recorded VPC instance, both ENIs, the VPC security group, the customer and AWS-owned prefix
// lists and a list's entries, as the port models them, are the AWS API contract's recorded cases
// (test/contract/aws-api.contract-recorded.ts), run over the SDK adapter and the simulator.
describe("DescribeInstances, as EC2 returns it", () => {
  it("makes it a running workload with one NIC in its VPC", async () => {
    const api = await apiAnswering({ DescribeInstances: recorded("describe-instances-vpc.xml") });
    const [instance] = await api.describeInstances(ANY);

    expect(instance && toWorkload(LOCATION, instance)).toEqual({
      id: "aws:123456789012:eu-west-1:i-1234567890abcdef0",
      state: "running",
      nics: [
        {
          id: "eni-551ba033",
          network: "aws:123456789012:eu-west-1:vpc-11112222",
          privateIp: "192.168.1.88",
          publicIp: "54.194.252.215",
        },
      ],
      tags: { Name: "Server_1" },
    });
  });

  it("reads EC2-Classic instances (no ENI, a tag with an empty value), which are no workloads", async () => {
    const api = await apiAnswering({ DescribeInstances: recorded("describe-instances-classic.xml") });

    const instances = await api.describeInstances(ANY);

    expect(instances).toEqual([
      {
        InstanceId: "i-fde9cece",
        State: { Name: "stopped" },
        Tags: [{ Key: "notebook", Value: "" }],
        NetworkInterfaces: [],
      },
      {
        InstanceId: "i-78f1b94a",
        State: { Name: "running" },
        PrivateIpAddress: "10.253.17.74",
        PublicIpAddress: "54.245.16.142",
        Tags: [],
        NetworkInterfaces: [],
      },
    ]);
    expect(instances.map((instance) => toWorkload(LOCATION, instance))).toEqual([undefined, undefined]);
  });

  it("leaves out an instance in a state EC2 does not document and names it; the other is read", async () => {
    const api = await apiAnswering({
      DescribeInstances: mangled(
        "describe-instances-classic.xml",
        "<name>running</name>",
        "<name>hibernating</name>",
      ),
    });

    const instances = await api.describeInstances(ANY);

    expect(instances.map((instance) => instance.InstanceId)).toEqual(["i-fde9cece"]);
    expect(api.takeUnreadable()).toEqual([
      {
        code: "aws-unreadable-object",
        severity: "warning",
        subject: `EC2 instance i-78f1b94a in ${WHERE}`,
        message: expect.stringContaining("unknown instance state hibernating"),
      },
    ]);
    expect(api.takeUnreadable()).toEqual([]);
  });
});

describe("DescribeNetworkInterfaces, as EC2 returns it", () => {
  it("leaves out an ENI without a VPC and names it; the other is read", async () => {
    const api = await apiAnswering({
      DescribeNetworkInterfaces: mangled(
        "describe-network-interfaces.xml",
        "<vpcId>vpc-cc3c87a5</vpcId>",
        "",
      ),
    });

    const interfaces = await api.describeNetworkInterfaces(ANY);

    expect(interfaces.map((eni) => eni.NetworkInterfaceId)).toEqual(["eni-a66ed5cf"]);
    expect(api.takeUnreadable()).toEqual([
      expect.objectContaining({
        subject: `EC2 network interface eni-0f62d866 in ${WHERE}`,
        message: expect.stringContaining("EC2 returned no network interface VPC"),
      }),
    ]);
  });
});

describe("DescribeSecurityGroups, as EC2 returns it", () => {
  it("models IPv6 ranges", async () => {
    const api = await apiAnswering({
      DescribeSecurityGroups: recorded("describe-security-groups-vpc-ipv6.xml"),
    });

    const [group] = await api.describeSecurityGroups(ANY);

    expect(group?.IpPermissions).toEqual([
      {
        IpProtocol: "tcp",
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: "0.0.0.0/0" }],
        Ipv6Ranges: [{ CidrIpv6: "::/0" }],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
    ]);
  });

  it("leaves out the EC2-Classic groups (no VPC) one by one, and reads the VPC group", async () => {
    const api = await apiAnswering({
      DescribeSecurityGroups: recorded("describe-security-groups-classic-and-vpc.xml"),
    });

    const groups = await api.describeSecurityGroups(ANY);

    expect(groups.map((group) => group.GroupId)).toEqual(["sg-97b1aefb"]);
    expect(groups[0]?.IpPermissions[0]?.UserIdGroupPairs).toEqual([
      { GroupId: "sg-97b1aefb", UserId: "123456789012" },
    ]);
    const findings = api.takeUnreadable();
    expect(findings.map((finding) => finding.subject)).toEqual(
      ["sg-68d8a958", "sg-72334242", "sg-4e970e7e", "sg-eab831da"].map(
        (groupId) => `EC2 security group ${groupId} in ${WHERE}`,
      ),
    );
    for (const finding of findings) expect(finding.message).toContain("EC2 returned no group VPC");
  });
});

describe("managed prefix lists, as EC2 returns them", () => {
  it("leaves out an account's list without a version and names it; the AWS-owned one is read", async () => {
    const both = joined(
      "describe-managed-prefix-lists-aws-owned.xml",
      "describe-managed-prefix-lists-customer.xml",
      "prefixListSet",
    );
    const api = await apiAnswering({ DescribeManagedPrefixLists: edited(both, "<version>1</version>", "") });

    const lists = await api.describeManagedPrefixLists(ANY);

    expect(lists.map((list) => list.PrefixListId)).toEqual(["pl-63a5400a"]);
    expect(api.takeUnreadable()).toEqual([
      expect.objectContaining({
        subject: `EC2 managed prefix list pl-0123123123123aabb in ${WHERE}`,
        message: expect.stringContaining("EC2 returned no prefix list version"),
      }),
    ]);
  });
});

describe("EC2 error responses, as EC2 returns them", () => {
  it.each([
    ["error-403-unauthorized-operation.xml", AwsAccessError, "UnauthorizedOperation"],
    ["error-400-invalid-group-not-found.xml", AwsNotFoundError, "InvalidGroup.NotFound"],
    ["error-400-invalid-instance-id-not-found.xml", AwsNotFoundError, "InvalidInstanceID.NotFound"],
    ["error-503-request-limit-exceeded.xml", AwsThrottledError, "RequestLimitExceeded"],
  ])("%s is a %s with code %s", async (path, ErrorClass, code) => {
    const api = await apiAnswering({ DescribeSecurityGroups: recordedError(path) });

    const failure = await api.describeSecurityGroups(ANY).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(ErrorClass);
    expect(failure).toMatchObject({ code });
  });

  it("keeps AWS's message out of an access error, and in the others", async () => {
    const api = await apiAnswering({
      DescribeSecurityGroups: recordedError("error-403-unauthorized-operation.xml"),
      DescribeInstances: recordedError("error-400-invalid-instance-id-not-found.xml"),
    });

    await expect(api.describeSecurityGroups(ANY)).rejects.toThrow(
      /^DescribeSecurityGroups failed with UnauthorizedOperation$/,
    );
    await expect(api.describeInstances(ANY)).rejects.toThrow(
      "DescribeInstances failed with InvalidInstanceID.NotFound: The instance ID 'i-1a2b3c4d' does not exist",
    );
  });

  it("deleting a group EC2 says does not exist succeeds", async () => {
    const api = await apiAnswering({
      DeleteSecurityGroup: recordedError("error-400-invalid-group-not-found.xml"),
    });

    await expect(api.deleteSecurityGroup("sg-1c987173")).resolves.toBeUndefined();
  });
});

describe("discoverAws over the recorded responses", () => {
  /** The API reference's instance, the recorded ENIs, groups and lists; no ENI has a restore record. */
  function region(customerGroups: Ec2Reply): Record<string, Ec2Route> {
    return {
      DescribeInstances: recorded("describe-instances-vpc.xml"),
      DescribeNetworkInterfaces: (params) =>
        params.get("Filter.1.Name") === "tag-key"
          ? emptied("describe-network-interfaces.xml", "networkInterfaceSet")
          : recorded("describe-network-interfaces.xml"),
      // No group is segsync's (the owned-group read filters on a tag); the ENIs' groups are these.
      DescribeSecurityGroups: (params) =>
        params.get("Filter.1.Name")?.startsWith("tag:")
          ? emptied("describe-security-groups-vpc.xml", "securityGroupInfo")
          : customerGroups,
      DescribeManagedPrefixLists: (params) =>
        params.get("Filter.1.Name") === "prefix-list-id"
          ? recorded("describe-managed-prefix-lists-aws-owned.xml")
          : recorded("describe-managed-prefix-lists-customer.xml"),
      GetManagedPrefixListEntries: recorded("get-managed-prefix-list-entries-aws-owned.xml"),
    };
  }

  it("finds the workload and reads a referenced AWS-owned list with its entries", async () => {
    // The recorded IPv6 group, with its SSH rule also allowing the S3 list.
    const referencing = mangled(
      "describe-security-groups-vpc-ipv6.xml",
      "<prefixListIds/>\n                </item>\n            </ipPermissions>",
      "<prefixListIds><item><prefixListId>pl-63a5400a</prefixListId></item></prefixListIds>\n                </item>\n            </ipPermissions>",
    );
    const api = await apiAnswering(region(referencing));

    const discovery = await discoverAws(api, { tagPrefix: "seg-", dimensions: ["app"] }, AWS_OWNERSHIP);

    expect(discovery.workloads.map((workload) => workload.id)).toEqual([
      "aws:123456789012:eu-west-1:i-1234567890abcdef0",
    ]);
    expect(discovery.networks).toEqual([{ id: "aws:123456789012:eu-west-1:vpc-11112222" }]);
    expect(discovery.state.managedPrefixLists).toEqual([
      {
        PrefixListId: "pl-63a5400a",
        PrefixListName: "com.amazonaws.us-east-1.s3",
        AddressFamily: "IPv4",
        OwnerId: "AWS",
        State: "create-complete",
        Tags: [],
        Entries: [{ Cidr: "54.231.0.0/17" }],
      },
    ]);
    expect(discovery.findings).toEqual([]);
  });

  it("reports the EC2-Classic groups and still discovers the region", async () => {
    const api = await apiAnswering(region(recorded("describe-security-groups-classic-and-vpc.xml")));

    const discovery = await discoverAws(api, { tagPrefix: "seg-", dimensions: ["app"] }, AWS_OWNERSHIP);

    expect(discovery.workloads).toHaveLength(1);
    expect(discovery.state.securityGroups.map((group) => group.GroupId)).toEqual(["sg-97b1aefb"]);
    expect(discovery.findings.map((finding) => finding.subject)).toContain(
      `EC2 security group sg-68d8a958 in ${WHERE}`,
    );
    expect(discovery.findings.every((finding) => finding.code === "aws-unreadable-object")).toBe(true);
  });

  it("additive mode names botocore's recorded VPC default group and says it admits every interface that carries it", async () => {
    const api = await apiAnswering(region(recorded("describe-security-groups-classic-and-vpc.xml")));
    const discovery = await discoverAws(api, { tagPrefix: "seg-", dimensions: ["app"] }, AWS_OWNERSHIP);
    const groups = new Map(discovery.state.securityGroups.map((group) => [group.GroupId, group]));
    const network = "aws:123456789012:eu-west-1:vpc-8d2910e4";
    const destination: DestinationIntent = {
      key: `abc@${network}`,
      identity: "app=shop",
      hash: "abc",
      network,
      cloud: "aws",
      labels: { app: "shop" },
      enforcement: "enforced",
      members: [],
      grants: [],
    };

    expect(
      additiveFindings(destination, "vpc-8d2910e4", ["sg-97b1aefb"], groups).map((f) => f.message),
    ).toEqual([
      "app=shop in vpc-8d2910e4: customer group default (sg-97b1aefb) stays (attachment: additive) and admits all traffic from every interface that carries default (sg-97b1aefb), beyond what the policy allows; it is vpc-8d2910e4's default group, which EC2 gives every interface launched without a named group, so that is every such member of vpc-8d2910e4",
    ]);
  });

  it("fails with the read's error when EC2 refuses it: an unreadable region is not an empty one", async () => {
    const api = await apiAnswering({
      ...region(recorded("describe-security-groups-vpc.xml")),
      DescribeInstances: recordedError("error-403-unauthorized-operation.xml"),
    });

    await expect(
      discoverAws(api, { tagPrefix: "seg-", dimensions: ["app"] }, AWS_OWNERSHIP),
    ).rejects.toBeInstanceOf(AwsApiError);
  });
});

describe("EventBridge events, as AWS documents them", () => {
  const json = (path: string): Record<string, unknown> => JSON.parse(awsFixture(`events/${path}`));

  it("parses the EC2 user guide's state-change event (an 8-digit instance id)", () => {
    expect(parseAwsEvent(json("ec2-instance-state-change-pending-user-guide.json"))).toEqual({
      cloud: "aws",
      eventId: "7bf73129-1428-4cd3-a780-95db273d1602",
      time: "2021-11-11T21:29:54Z",
      workloadId: "aws:123456789012:us-east-1:i-abcd1111",
      change: { kind: "state", state: "pending" },
    });
  });

  it("parses the EventBridge sample state-change event", () => {
    expect(parseAwsEvent(json("ec2-instance-state-change-pending.json"))).toMatchObject({
      workloadId: "aws:123456789012:us-east-1:i-1234567890abcdef0",
      change: { kind: "state", state: "pending" },
    });
  });

  it.each([
    ["running", "running"],
    ["stopping", "stopping"],
    ["stopped", "stopped"],
    ["shutting-down", "terminating"],
    ["terminated", "terminated"],
  ])("parses the documented sample in state %s (the user guide lists it)", (state, change) => {
    const event = json("ec2-instance-state-change-pending-user-guide.json");
    const detail = event.detail as Record<string, unknown>;

    expect(parseAwsEvent({ ...event, detail: { ...detail, state } }).change).toEqual({
      kind: "state",
      state: change,
    });
  });

  it("rejects the Organizations guide's tag-change sample, which has no source, id, account or time", () => {
    const parse = () => parseAwsEvent(json("tag-change-noncompliant-organizations-guide.json"));

    expect(parse).toThrow(AwsEventError);
    expect(parse).toThrow(/^AWS event rejected: source: /);
  });

  it("parses the Tag Change on Resource sample for an instance: the tags after the change", () => {
    expect(parseAwsEvent(json("tag-change-on-resource-instance.json"))).toEqual({
      cloud: "aws",
      eventId: "bddcf1d6-0251-35a1-aab0-adc1fb47c11c",
      time: "2018-09-18T20:41:38Z",
      workloadId: "aws:123456789012:us-east-1:i-0000000aaaaaaaaaa",
      change: {
        kind: "tags",
        tags: {
          "a-new-key": "tag-value-on-new-key-just-added",
          "an-updated-key": "tag-value-was-just-changed",
          "an-unchanged-key": "tag-value-still-the-same",
        },
      },
    });
  });
});
