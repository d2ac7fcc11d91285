/**
 * The GCP pipeline the writes measurement drives (common/writes.ts): materializeGcp, diffGcp,
 * one SimulatedCompute per project, and the minimal of minimal-writes.ts.
 */
import { diffGcp } from "../../lib/clouds/gcp/diff.js";
import {
  type GcpDesired,
  type GcpMaterializeOptions,
  materializeGcp,
} from "../../lib/clouds/gcp/materialize.js";
import type { GcpState } from "../../lib/clouds/gcp/model.js";
import type { GcpOperation } from "../../lib/clouds/gcp/operations.js";
import type { CloudPipeline } from "../common/writes.js";
import { gcpMismatches, minimalGcpWrites } from "./minimal-writes.js";
import { GcpSimulators } from "./simulators.js";

export function gcpPipeline(
  options: GcpMaterializeOptions,
): CloudPipeline<GcpState, GcpDesired, GcpOperation> {
  return {
    cloud: "gcp",
    materialize: (intent, state) => materializeGcp(intent, state, options),
    diff: (desired, state) => diffGcp(desired, state, options.ownership),
    simulators: (state) => new GcpSimulators(state, options.quotas),
    minimal: (before, after, state) => ({ ...minimalGcpWrites(before, after, state), approximate: false }),
    mismatches: gcpMismatches,
  };
}
