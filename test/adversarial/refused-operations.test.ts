/**
 * One object the cloud refuses never stops another workload's enforcement: the refused operation
 * (and what needs it) is reported, the rest of the plan is applied; a failure that is not about
 * one object (throttling) still stops the plan, to be retried.
 */
import { describe, expect, it } from "vitest";
import type { AwsApi } from "../../lib/clouds/aws/api.js";
import { applyAwsPlan } from "../../lib/clouds/aws/apply.js";
import { AwsNotFoundError, AwsQuotaExceededError, AwsThrottledError } from "../../lib/clouds/aws/errors.js";
import type { AwsOperation } from "../../lib/clouds/aws/operations.js";
import { AwsOwnership } from "../../lib/clouds/aws/ownership.js";
import { SIMULATOR_RECORD_KEY } from "../../lib/clouds/common/seals.js";

const location = { account: "111111111111", region: "us-east-1" };
const ownership = new AwsOwnership(SIMULATOR_RECORD_KEY);

/** EC2 that refuses what `refuse` names and records every write it accepts. */
function ec2(refuse: (call: string) => Error | undefined) {
  const written: string[] = [];
  const write = async (call: string) => {
    const error = refuse(call);
    if (error) throw error;
    written.push(call);
  };
  const api = {
    location,
    takeUnreadable: () => [],
    createSecurityGroup: async (input: { groupName: string }) => {
      await write(`create ${input.groupName}`);
      return { groupId: `sg-${input.groupName}` };
    },
    authorizeIngress: (groupId: string) => write(`authorize ${groupId}`),
    modifyNetworkInterfaceGroups: (eni: string, groups: readonly string[]) =>
      write(`set ${eni} ${groups.join(",")}`),
    createTags: (ids: readonly string[]) => write(`tag ${ids.join(",")}`),
  } as unknown as AwsApi;
  return { api, written };
}

const rule = {
  protocol: "tcp" as const,
  fromPort: 443,
  toPort: 443,
  source: { kind: "cidr" as const, cidr: "192.0.2.0/24" },
};
const PLAN: AwsOperation[] = [
  {
    location,
    kind: "createSecurityGroup",
    vpcId: "vpc-1",
    name: "segsync-a",
    identity: "role=a",
    description: "a",
  },
  {
    location,
    kind: "createSecurityGroup",
    vpcId: "vpc-1",
    name: "segsync-b",
    identity: "role=b",
    description: "b",
  },
  {
    location,
    kind: "authorizeIngress",
    groupName: "segsync-a",
    group: { create: "segsync-a", vpcId: "vpc-1" },
    rules: [rule],
  },
  {
    location,
    kind: "authorizeIngress",
    groupName: "segsync-b",
    group: { create: "segsync-b", vpcId: "vpc-1" },
    rules: [rule],
  },
  { location, kind: "recordOriginalGroups", networkInterfaceId: "eni-gone", groupIds: ["sg-old"] },
  {
    location,
    kind: "setInterfaceGroups",
    networkInterfaceId: "eni-gone",
    workload: "w1",
    before: ["sg-old"],
    after: [{ create: "segsync-b", vpcId: "vpc-1" }],
  },
  {
    location,
    kind: "setInterfaceGroups",
    networkInterfaceId: "eni-a",
    workload: "w2",
    before: ["sg-old"],
    after: [{ create: "segsync-a", vpcId: "vpc-1" }],
  },
  {
    location,
    kind: "setInterfaceGroups",
    networkInterfaceId: "eni-b",
    workload: "w3",
    before: ["sg-old"],
    after: [{ create: "segsync-b", vpcId: "vpc-1" }],
  },
];

describe("applying a plan past the objects a cloud refuses", () => {
  it("reports the refused operations and those that need them, and applies the rest", async () => {
    const { api, written } = ec2((call) =>
      call === "create segsync-a"
        ? new AwsQuotaExceededError("too many groups", "SecurityGroupLimitExceeded")
        : call === "tag eni-gone"
          ? new AwsNotFoundError("no such ENI", "InvalidNetworkInterfaceID.NotFound")
          : undefined,
    );
    const refused: string[] = [];
    await applyAwsPlan(
      PLAN,
      () => api,
      ownership,
      undefined,
      (operation, error) => refused.push(`${operation.kind} ${(error as Error).name}`),
    );
    expect(refused).toEqual([
      "createSecurityGroup AwsQuotaExceededError",
      "authorizeIngress DependsOnRefusedError",
      "recordOriginalGroups AwsNotFoundError",
      "setInterfaceGroups DependsOnRefusedError",
      "setInterfaceGroups DependsOnRefusedError",
    ]);
    // The other identity's group, its rule and its workload's ENI are enforced all the same.
    expect(written).toEqual(["create segsync-b", "authorize sg-segsync-b", "set eni-b sg-segsync-b"]);
  });

  it("stops at a failure that is not about one object, to be retried", async () => {
    const { api, written } = ec2((call) =>
      call === "create segsync-b" ? new AwsThrottledError("slow down", "RequestLimitExceeded") : undefined,
    );
    const refused: string[] = [];
    await expect(
      applyAwsPlan(
        PLAN,
        () => api,
        ownership,
        undefined,
        (operation) => refused.push(operation.kind),
      ),
    ).rejects.toThrow(AwsThrottledError);
    expect(refused).toEqual([]);
    expect(written).toEqual(["create segsync-a"]);
  });

  it("without onRefused, stops at the first failure as before", async () => {
    const { api } = ec2((call) =>
      call === "create segsync-a" ? new AwsQuotaExceededError("x", "Y") : undefined,
    );
    await expect(applyAwsPlan(PLAN, () => api, ownership)).rejects.toThrow(AwsQuotaExceededError);
  });
});
