/** The AwsApi contract: EC2's refusals and throttling, as the classes of errors.ts (aws-api.contract.ts). */
import { expect } from "vitest";
import { AwsNotFoundError, AwsThrottledError } from "../../lib/clouds/aws/errors.js";
import type { ContractCases } from "./aws-api.contract.js";
import { expectAwsFailure, tcp, uniqueName, vpcRange } from "./aws-api.contract-support.js";

/** A group id that no implementation holds. */
const ABSENT_GROUP = "sg-0000000000000dead";
const ANY_GROUP = [{ Name: "group-name", Values: ["*"] }];

export function describeFailureCases({ world, contractCase }: ContractCases): void {
  contractCase([], "deleting a group EC2 does not know succeeds: absence is the goal", async () => {
    await expect(world().api.deleteSecurityGroup(ABSENT_GROUP)).resolves.toBeUndefined();
  });

  contractCase(
    [],
    "a rule change on a group EC2 does not know is not found, with EC2's error as cause",
    async () => {
      const { api } = world();
      const rule = tcp(443, { IpRanges: [{ CidrIp: "203.0.113.0/24" }] });
      await expectAwsFailure(
        api.authorizeIngress(ABSENT_GROUP, [rule]),
        AwsNotFoundError,
        "InvalidGroup.NotFound",
      );
      await expectAwsFailure(
        api.revokeIngress(ABSENT_GROUP, [rule]),
        AwsNotFoundError,
        "InvalidGroup.NotFound",
      );
    },
  );

  contractCase(
    ["throttle"],
    "a throttled call fails with RequestLimitExceeded, EC2's error as cause, until the throttling stops",
    async () => {
      const { api, throttle } = world();
      throttle(true);
      await expectAwsFailure(
        api.describeSecurityGroups(ANY_GROUP),
        AwsThrottledError,
        "RequestLimitExceeded",
      );
      await expectAwsFailure(
        api.deleteSecurityGroup(ABSENT_GROUP),
        AwsThrottledError,
        "RequestLimitExceeded",
      );
      throttle(false);
      await expect(api.describeSecurityGroups(ANY_GROUP)).resolves.toBeInstanceOf(Array);
    },
  );

  contractCase(["throttle", "estate"], "a throttled write changes nothing", async () => {
    const { api, newVpc, throttle } = world();
    const vpcId = await newVpc(vpcRange());
    const groupName = uniqueName("segsync-throttled");
    throttle(true);
    await expectAwsFailure(
      api.createSecurityGroup({ vpcId, groupName, description: "t", tags: [] }),
      AwsThrottledError,
      "RequestLimitExceeded",
    );
    throttle(false);
    expect(await api.describeSecurityGroups([{ Name: "group-name", Values: [groupName] }])).toEqual([]);
  });
}
