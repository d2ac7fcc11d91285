/**
 * The `aws` section: materializeAws and diffAws timed on the estate's AWS workloads, what they
 * produce counted, then the EC2 writes of single-workload changes through SimulatedEc2 compared
 * with the minimal (common/cloud-section.ts, bench/aws/minimal-writes.ts). Default quotas,
 * exclusive attachment.
 */
import { DEFAULT_AWS_QUOTAS } from "../../lib/clouds/aws/config.js";
import type { AwsDesired } from "../../lib/clouds/aws/desired.js";
import { awsStateOf } from "../aws/estate-state.js";
import { awsPipeline } from "../aws/pipeline.js";
import { type CloudResult, defineCloudSection } from "../common/cloud-section.js";
import { AWS_OWNERSHIP } from "../common/seals.js";
import { formatCount } from "../format.js";

const PIPELINE = awsPipeline({
  quotas: DEFAULT_AWS_QUOTAS,
  attachment: "exclusive",
  ownership: AWS_OWNERSHIP,
});

export interface AwsCounts {
  readonly securityGroups: number;
  /** Rules over every owned group (a prefix-list reference counts once here). */
  readonly rules: number;
  readonly prefixLists: number;
  readonly prefixListEntries: number;
  /** ENIs whose groups segsync sets (enforced, or given back). */
  readonly interfaces: number;
}

export type AwsResult = CloudResult<AwsCounts>;

export const awsSection = defineCloudSection({
  name: "aws",
  description:
    "materializeAws and diffAws on the estate's AWS workloads (default quotas, exclusive attachment); EC2 writes of single-workload changes through SimulatedEc2 against the minimal",
  pipeline: () => PIPELINE,
  stateOf: (inventory) => awsStateOf(inventory.workloads),
  instances: (state) => state.reduce((sum, region) => sum + region.instances.length, 0),
  counts: (desired: AwsDesired): AwsCounts => ({
    securityGroups: desired.securityGroups.length,
    rules: desired.securityGroups.reduce((sum, group) => sum + group.rules.length, 0),
    prefixLists: desired.prefixLists.length,
    prefixListEntries: desired.prefixLists.reduce((sum, list) => sum + list.entries.length, 0),
    interfaces: desired.interfaces.length,
  }),
  findings: (desired) => desired.findings,
  // Each change re-reads the state() of the locations it touched: a sorted copy of everything
  // the location holds.
  fullWritesMaxInstances: 10_000,
  instancesHeader: "instances",
  countColumns: [
    { header: "SGs", cell: (c) => formatCount(c.securityGroups) },
    { header: "SG rules", cell: (c) => formatCount(c.rules) },
    { header: "PLs", cell: (c) => formatCount(c.prefixLists) },
    { header: "ENIs", cell: (c) => formatCount(c.interfaces) },
  ],
  countsNote:
    "instances: AWS instances. SGs, SG rules, PLs, ENIs: what materializeAws wants (owned groups, their rules, owned prefix lists, ENIs whose groups it sets); plan ops: the first diffAws plan; findings by code.",
  names: {
    api: "EC2",
    materialize: "materializeAws",
    diff: "diffAws",
    simulatorState: "SimulatedEc2.state()",
    stateBuiltDirectly:
      "building it directly skips the checks of each launch through the simulator's controls",
    simulators: "SimulatedEc2 per location",
    instances: "AWS instances",
    estateState: "bench/aws/estate-state.ts",
    minimalWrites: "bench/aws/minimal-writes.ts",
  },
});
