/**
 * The `gcp` section: materializeGcp and diffGcp timed on the estate's GCP workloads, what they
 * produce counted, then the Compute writes of single-workload changes through SimulatedCompute
 * compared with the minimal (common/cloud-section.ts, bench/gcp/minimal-writes.ts). Default
 * limits and priorities, exclusive attachment.
 */
import { DEFAULT_GCP_PRIORITIES, DEFAULT_GCP_QUOTAS } from "../../lib/clouds/gcp/config.js";
import type { GcpDesired } from "../../lib/clouds/gcp/materialize.js";
import { type CloudResult, defineCloudSection } from "../common/cloud-section.js";
import { GCP_OWNERSHIP } from "../common/seals.js";
import { formatCount } from "../format.js";
import { gcpStateOf } from "../gcp/estate-state.js";
import { gcpPipeline } from "../gcp/pipeline.js";

const PIPELINE = gcpPipeline({
  quotas: DEFAULT_GCP_QUOTAS,
  priorities: DEFAULT_GCP_PRIORITIES,
  attachment: "exclusive",
  ownership: GCP_OWNERSHIP,
});

export interface GcpCounts {
  /** Owned firewall rules over every project. */
  readonly firewalls: number;
  readonly sourceRanges: number;
  /** Instances whose network tags segsync sets (enforced, or cleaned up). */
  readonly instances: number;
}

export type GcpResult = CloudResult<GcpCounts>;

export const gcpSection = defineCloudSection({
  name: "gcp",
  description:
    "materializeGcp and diffGcp on the estate's GCP workloads (default limits and priorities, exclusive attachment); Compute writes of single-workload changes through SimulatedCompute against the minimal",
  pipeline: () => PIPELINE,
  stateOf: (inventory) => gcpStateOf(inventory.workloads),
  instances: (state) => state.reduce((sum, project) => sum + project.instances.length, 0),
  counts: (desired: GcpDesired): GcpCounts => ({
    firewalls: desired.firewalls.length,
    sourceRanges: desired.firewalls.reduce((sum, rule) => sum + (rule.sourceRanges?.length ?? 0), 0),
    instances: desired.instances.length,
  }),
  findings: (desired) => desired.findings,
  // Each change materializes and diffs the whole estate twice.
  fullWritesMaxInstances: 10_000,
  instancesHeader: "instances",
  countColumns: [
    { header: "firewalls", cell: (c) => formatCount(c.firewalls) },
    { header: "ranges", cell: (c) => formatCount(c.sourceRanges) },
    { header: "tagged", cell: (c) => formatCount(c.instances) },
  ],
  countsNote: `instances: GCP instances. firewalls, ranges, tagged: what materializeGcp wants (owned firewall rules, their source ranges, instances whose network tags it sets); plan ops: the first diffGcp plan; findings by code (quota: destinations whose rules would pass the project's ${DEFAULT_GCP_QUOTAS.firewallRulesPerProject} firewall rules, not applied).`,
  names: {
    api: "Compute",
    materialize: "materializeGcp",
    diff: "diffGcp",
    simulatorState: "SimulatedCompute.state()",
    stateBuiltDirectly: "building it directly skips createInstance's checks",
    simulators: "SimulatedCompute per project",
    instances: "GCP instances",
    estateState: "bench/gcp/estate-state.ts",
    minimalWrites: "bench/gcp/minimal-writes.ts",
  },
});
