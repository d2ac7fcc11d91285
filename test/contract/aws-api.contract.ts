/**
 * The contract of the AWS cloud API port (lib/clouds/aws/api.ts), written once and run over every
 * implementation (aws-api.test.ts): the simulator, the SDK adapter against moto_server, and the SDK
 * adapter over recorded EC2 responses. It pins what the port's comments promise and every behaviour
 * of the simulator that segsync relies on, so that the simulator cannot differ from EC2 unnoticed.
 * A case an implementation cannot run is left out for it and counted, with the reason, in one
 * test of its own (not-run.ts).
 */
import { afterAll, beforeAll, beforeEach, describe } from "vitest";
import type { AwsApi } from "../../lib/clouds/aws/api.js";
import { describeEgressCases } from "./aws-api.contract-egress.js";
import { describeFailureCases } from "./aws-api.contract-failures.js";
import { describeSecurityGroupCases } from "./aws-api.contract-groups.js";
import { describePrefixListCases } from "./aws-api.contract-prefix-lists.js";
import { describeReadCases } from "./aws-api.contract-reads.js";
import { describeRecordedCases } from "./aws-api.contract-recorded.js";
import { describeRuleCases } from "./aws-api.contract-rules.js";
import { describeInterfaceAndTagCases } from "./aws-api.contract-tags.js";
import { describeTargetedReadCases } from "./aws-api.contract-targeted.js";
import { NotRun } from "./not-run.js";

/**
 * What a case needs beyond the port itself:
 * - `estate`: VPCs and instances can be made (outside the port, as a user would) and the port's
 *   writes take effect;
 * - `throttle`: the implementation's calls can be made to fail as throttled, on demand;
 * - `recorded`: the implementation holds the objects of the recorded EC2 responses
 *   (test/fixtures/aws/ec2, RECORDED_STATE in aws-api.contract-recorded.ts);
 * and the refusals and defaults of EC2 that an emulator may lack:
 * - `unknownReferences`: a write naming an object EC2 does not hold (a group's VPC, an
 *   interface's group, a rule's prefix list) and a read of an unknown list's entries are refused;
 * - `dependencies`: deleting a group or a list still in use is refused (DependencyViolation);
 * - `defaultGroups`: a VPC's default group has EC2's rules and cannot be deleted;
 * - `prefixListVersions`: ModifyManagedPrefixList checks CurrentVersion and keeps the list's name;
 * - `interfaceQuota`: a sixth group on an interface is refused;
 * - `ruleWeights`: the rules-per-group quota weighs a prefix-list reference by the list's
 *   MaxEntries and counts IPv4 and IPv6 apart (docs/clouds.md, "AWS security group quotas");
 * - `unknownListDeletes`: deleting a prefix list EC2 does not know answers InvalidPrefixListID.NotFound;
 * - `listReferenceFilter`: DescribeSecurityGroups takes the `ip-permission.prefix-list-id` filter.
 */
export type AwsApiNeed =
  | "estate"
  | "throttle"
  | "recorded"
  | "unknownReferences"
  | "dependencies"
  | "defaultGroups"
  | "prefixListVersions"
  | "interfaceQuota"
  | "ruleWeights"
  | "unknownListDeletes"
  | "listReferenceFilter";

/** One test's view of an implementation. */
export interface AwsApiWorld {
  readonly api: AwsApi;
  /** A new VPC with this IPv4 range; EC2 gives it its default security group. */
  newVpc(cidr: string): Promise<string>;
  /** A running instance in the VPC, launched without a named group, with these tags. */
  launch(vpcId: string, tags: Readonly<Record<string, string>>): Promise<Launched>;
  /** Makes every call fail as throttled (true) or stops it (false). */
  throttle(on: boolean): void;
}

export interface Launched {
  readonly instanceId: string;
  readonly networkInterfaceId: string;
}

export interface AwsApiImplementation {
  readonly name: string;
  /** Why it cannot meet a need: the cases that have it are not run, and counted with this reason (not-run.ts). */
  readonly cannot: Readonly<Partial<Record<AwsApiNeed, string>>>;
  /** Once, before its cases (start a server). */
  readonly start?: () => Promise<void>;
  readonly stop?: () => Promise<void>;
  /** A world for one case: a fresh simulator, or the same server with nothing of other cases in the way. */
  readonly open: () => Promise<AwsApiWorld>;
}

/** Runs one section's cases, each only where the implementation meets its needs. */
export interface ContractCases {
  readonly world: () => AwsApiWorld;
  readonly account: string;
  /** `it`, or the case left out and counted with why this implementation cannot run it. */
  readonly contractCase: (needs: readonly AwsApiNeed[], title: string, run: () => Promise<void>) => void;
}

export function describeAwsApiContract(implementation: AwsApiImplementation, account: string): void {
  describe(`AwsApi contract: ${implementation.name}`, () => {
    let current: AwsApiWorld | undefined;
    // Starting moto_server and its first DescribeImages take a while on a busy machine.
    if (implementation.start) beforeAll(implementation.start, 60_000);
    if (implementation.stop) afterAll(implementation.stop);
    beforeEach(async () => {
      current = await implementation.open();
    });
    const notRun = new NotRun(implementation.name, Object.values(implementation.cannot));
    const cases: ContractCases = {
      account,
      world: () => {
        if (current === undefined) throw new Error("no world: open() has not run");
        return current;
      },
      contractCase: (needs, title, run) => {
        notRun.case(
          needs.map((need) => implementation.cannot[need]),
          title,
          run,
        );
      },
    };
    notRun.group("describe calls", () => describeReadCases(cases));
    notRun.group("targeted reads", () => describeTargetedReadCases(cases));
    notRun.group("security groups", () => describeSecurityGroupCases(cases));
    notRun.group("ingress rules", () => describeRuleCases(cases));
    notRun.group("egress rules", () => describeEgressCases(cases));
    notRun.group("network interfaces and tags", () => describeInterfaceAndTagCases(cases));
    notRun.group("managed prefix lists", () => describePrefixListCases(cases));
    notRun.group("failures", () => describeFailureCases(cases));
    notRun.group("the recorded estate", () => describeRecordedCases(cases));
    notRun.report();
  });
}
