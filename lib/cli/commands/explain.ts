import type { Command } from "commander";
import { Simulation } from "../../sim/run.js";
import { explainFlow, formatProbe, parseProbe } from "../flows.js";
import { loadSimulationInputs, refuseLive } from "../inputs.js";
import type { CliIo, CommandContext } from "../io.js";
import { CLOUD_NAMES, hasFailures } from "../narrate.js";
import { styler } from "../style.js";

export interface ExplainOptions {
  readonly policy: string;
  readonly estate?: string;
  readonly scenario?: string;
  readonly from: string;
  readonly to: string;
  readonly port: string;
  readonly live?: boolean;
}

/**
 * After an initial sync and the optional scenario on the simulated estate: whether `from` can
 * reach `to` on the port, the policy rules that allow it or why not, and the native rule.
 * Exit 0 with a verdict either way; 1 on invalid input.
 */
export async function explain(options: ExplainOptions, io: CliIo): Promise<number> {
  if (options.live) return refuseLive("explain", io);
  const probe = parseProbe(options.port);
  if (!probe) {
    io.err(`segsync explain: --port ${options.port}: expected tcp/PORT, udp/PORT or icmp\n`);
    return 1;
  }
  if (options.estate === undefined) {
    io.err("segsync explain: --estate FILE is required (the simulated estate to explain on)\n");
    return 1;
  }
  const inputs = await loadSimulationInputs(
    {
      policy: options.policy,
      estate: options.estate,
      ...(options.scenario ? { scenario: options.scenario } : {}),
    },
    io,
  );
  if (!inputs) return 1;
  const simulation = Simulation.start(inputs.policy, inputs.estate);
  const outcomes = inputs.scenario ? await simulation.run(inputs.scenario) : [];
  const last = outcomes.flatMap((o) => (o.result ? [o.result] : [])).at(-1) ?? (await simulation.fullSync());
  if (outcomes.some((o) => hasFailures(o.result)) || hasFailures(last)) {
    io.err("segsync explain: a reconcile failed, so the clouds may not enforce the policy yet\n");
    return 1;
  }
  const unknown = [options.from, options.to].filter((id) => simulation.clouds.workload(id) === undefined);
  for (const id of unknown) io.err(`segsync explain: no workload ${id} in the estate (after the scenario)\n`);
  if (unknown.length > 0) return 1;

  const flow = explainFlow(
    {
      intent: last.intent,
      policy: inputs.policy,
      clouds: simulation.clouds,
      reach: await simulation.reachability(),
    },
    options.from,
    options.to,
    probe,
  );
  const paint = styler(io.color ?? false);
  const named = (id: string, identity?: string) => (identity ? `${id} (${identity})` : id);
  io.out(
    `${named(options.from, flow.from?.identity)} → ${named(options.to, flow.to?.identity)} on ${formatProbe(probe)}\n`,
  );
  io.out(`verdict: ${flow.verdict === "allowed" ? paint("green", "allowed") : paint("red", "denied")}\n`);
  if (flow.rules.length > 0) io.out(`policy: allowed by rule ${flow.rules.join(", ")}\n`);
  if (flow.why !== undefined) io.out(`why: ${flow.why}\n`);
  if (flow.cloud !== undefined && flow.network !== undefined) {
    const seen = flow.sourceAddress === undefined ? "" : `, seen from ${flow.sourceAddress}`;
    io.out(
      flow.native
        ? `native: ${CLOUD_NAMES[flow.cloud]} ${flow.native.object}: ${flow.native.rule} (in ${flow.network}${seen})\n`
        : `native: no ${CLOUD_NAMES[flow.cloud]} rule admits it (in ${flow.network}${seen})\n`,
    );
  }
  return 0;
}

export function registerExplain(program: Command, context: CommandContext): void {
  program
    .command("explain")
    .description("why a flow between two workloads is allowed or denied, in the policy and natively")
    .requiredOption("--policy <file>", "policy file")
    .option("--estate <file>", "simulated estate file (DESIGN §6)")
    .option("--scenario <file>", "a scenario to run first (DESIGN §6)")
    .requiredOption("--from <workload>", "source workload id")
    .requiredOption("--to <workload>", "destination workload id")
    .requiredOption("--port <port>", "tcp/PORT, udp/PORT or icmp")
    .option("--live", "read the real clouds (not available yet)")
    .action(async (options: ExplainOptions) => {
      context.exitWith(await explain(options, context.io));
    });
}
