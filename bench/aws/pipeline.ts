/**
 * The AWS pipeline the writes measurement drives (common/writes.ts): materializeAws, diffAws,
 * one SimulatedEc2 per location, and the minimal of minimal-writes.ts.
 */
import type { AwsDesired } from "../../lib/clouds/aws/desired.js";
import { diffAws } from "../../lib/clouds/aws/diff.js";
import { type AwsMaterializeOptions, materializeAws } from "../../lib/clouds/aws/materialize.js";
import type { AwsState } from "../../lib/clouds/aws/model.js";
import type { AwsOperation } from "../../lib/clouds/aws/operations.js";
import type { CloudPipeline } from "../common/writes.js";
import { minimalWrites, mismatchesWith } from "./minimal-writes.js";
import { AwsSimulators } from "./simulators.js";

export function awsPipeline(
  options: AwsMaterializeOptions & { readonly attachment: "exclusive" },
): CloudPipeline<AwsState, AwsDesired, AwsOperation> {
  return {
    cloud: "aws",
    materialize: (intent, state) => materializeAws(intent, state, options),
    diff: (desired, state) => diffAws(desired, state, options.ownership),
    simulators: (state) => new AwsSimulators(state, options.quotas),
    // EC2 holds desired-before (mismatches says whether it does), plus what segsync leaves alone.
    minimal: (_before, after, state) => {
      const { total, approximate, ...byMethod } = minimalWrites(after, state, options.attachment);
      return { total, approximate, byMethod };
    },
    mismatches: mismatchesWith,
  };
}
