/**
 * `segsync flows check` and `segsync flows suggest` (docs/flows.md, "Checking flows" and
 * "Suggesting rules"): the observed flows of the clouds' own logs against a policy, on a
 * simulated estate or the real clouds (read only).
 */
import { planNames } from "../../lib/reconcile/plan-names.js";
import { type ObserveOptions, observeFlows } from "../flows-observe.js";
import { renderCheck } from "../flows-text.js";
import type { CliIo } from "../io.js";

export interface FlowsCheckOptions extends ObserveOptions {
  readonly json?: boolean;
}

/**
 * The observed connections grouped, each with the policy's verdict, the ones it would block
 * first. Exit 0 when it would block none, 2 when it would block some, 1 on error.
 */
export async function flowsCheck(
  locations: readonly string[],
  options: FlowsCheckOptions,
  io: CliIo,
): Promise<number> {
  const observed = await observeFlows("flows check", locations, options, io);
  if (typeof observed === "number") return observed;
  const { report, intent } = observed;
  if (options.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const names = planNames(intent);
    io.out(renderCheck(report, (text) => names.shorten(text)));
  }
  return report.summary.wouldBlock > 0 ? 2 : 0;
}
