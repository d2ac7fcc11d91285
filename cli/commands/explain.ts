import { isIP } from "node:net";
import type { CloudFinding, CloudProvider, Reachability } from "../../lib/clouds/provider.js";
import { compile } from "../../lib/compile/compile.js";
import type { Intent } from "../../lib/compile/model.js";
import { parseWorkloadId } from "../../lib/inventory/ids.js";
import { CLOUD_NAMES, CLOUDS, type Cloud, type Workload } from "../../lib/inventory/model.js";
import type { Policy } from "../../lib/policy/model.js";
import { planNames } from "../../lib/reconcile/plan-names.js";
import { renderPolicyFindings } from "../../lib/reconcile/render.js";
import { wrapLine } from "../../lib/reconcile/wrap.js";
import type { SimulatedClouds } from "../../sim/simulated-clouds.js";
import { Simulation } from "../../sim/simulation.js";
import type { LiveWorkload } from "../../sim/workload-book.js";
import { destinationLines, sourceLines } from "../explain-text.js";
import { explainFlow, formatProbe, type Probe, parseProbe } from "../flows.js";
import {
  chooseTarget,
  connectTarget,
  loadLiveInputs,
  loadSimulationInputs,
  type Target,
  type TargetOptions,
} from "../inputs.js";
import type { CliIo } from "../io.js";
import { hasFailures } from "../narrate.js";
import { styler } from "../style.js";

export interface ExplainOptions extends TargetOptions {
  readonly policy: string;
  readonly scenario?: string;
  readonly from: string;
  readonly to: string;
  readonly port: string;
  /** The explanation, both ends, as JSON. */
  readonly json?: boolean;
}

/** What a flow is explained from: the intent, the workloads as they are, each cloud's native verdicts. */
interface FlowContext {
  readonly intent: Intent;
  readonly policy: Policy;
  readonly clouds: Pick<SimulatedClouds, "workload">;
  readonly reach: Record<Cloud, Reachability>;
  /** Where the workloads were looked for, for "no workload X in …". */
  readonly where: string;
  /** Operations a sync would still apply (live clouds: nothing is applied to explain). */
  readonly pending: number;
}

/**
 * Whether `from` can reach `to` on the port, the policy rules that allow it or why not, and the
 * native rule: on the simulated estate after an initial sync and the optional scenario, or on the
 * real clouds as they are (read only). Exit 0 with a verdict either way; 1 on invalid input.
 */
export async function explain(options: ExplainOptions, io: CliIo): Promise<number> {
  const target = chooseTarget("explain", options, io);
  if (target === undefined) return 1;
  const context =
    target.kind === "live" ? await onLive(options, target, io) : await onEstate(options, target, io);
  if (typeof context === "number") return context;
  // The destination may be an address outside the estate: only the source's egress decides there.
  const unknown = [options.from, ...(isIP(options.to) === 0 ? [options.to] : [])].filter(
    (id) => context.clouds.workload(id) === undefined,
  );
  for (const id of unknown) io.err(`segsync explain: no workload ${id} in ${context.where}\n`);
  if (unknown.length > 0) return 1;
  const holder = addressHolder(context, options.to);
  if (holder !== undefined) {
    io.err(`segsync explain: --to ${options.to} is the address of ${holder}: give its workload id\n`);
    return 1;
  }
  const parsed = parseProbe(options.port, context.policy.services);
  if ("error" in parsed) {
    io.err(`segsync explain: --port ${options.port}: ${parsed.error}\n`);
    return 1;
  }
  print(context, options, parsed.probe, io);
  return 0;
}

/**
 * The workload that holds an address given as the destination: explained as an outside address,
 * its flow would skip the workload's ingress and be told as if nothing guarded it.
 */
function addressHolder(context: FlowContext, to: string): string | undefined {
  if (isIP(to) === 0) return undefined;
  return context.intent.workloads
    .map((report) => context.clouds.workload(report.workload))
    .find((workload) => workload?.privateIp === to || workload?.publicIp === to)?.id;
}

async function onEstate(
  options: ExplainOptions,
  target: Extract<Target, { kind: "estate" }>,
  io: CliIo,
): Promise<FlowContext | number> {
  const inputs = await loadSimulationInputs(
    {
      policy: options.policy,
      estate: target.estate,
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
  return {
    intent: last.intent,
    policy: inputs.policy,
    clouds: simulation.clouds,
    reach: await simulation.reachability(),
    where: "the estate (after the scenario)",
    pending: 0,
  };
}

/** One read of each cloud of the config: the intent compiled from it, and its native verdicts. */
async function onLive(
  options: ExplainOptions,
  target: Extract<Target, { kind: "live" }>,
  io: CliIo,
): Promise<FlowContext | number> {
  if (options.scenario !== undefined) {
    io.err("segsync explain: --scenario runs on a simulated estate only (--estate FILE)\n");
    return 1;
  }
  const inputs = await loadLiveInputs({ policy: options.policy, config: target.config }, io);
  if (!inputs) return 1;
  const { policy } = inputs;
  const { providers, connections, recordKey } = await connectTarget(inputs.config, target);
  // What is segsync's in the clouds is what its record key sealed (docs/trust-model.md).
  try {
    await recordKey.load();
  } catch (error) {
    io.err(`segsync explain: ${describe(error)}\n`);
    return 1;
  }
  const settled = await Promise.allSettled([
    readCloud(providers.aws, connections.aws, policy),
    readCloud(providers.azure, connections.azure, policy),
    readCloud(providers.gcp, connections.gcp, policy),
  ]);
  const reads: CloudRead[] = [];
  for (const [position, outcome] of settled.entries()) {
    if (outcome.status === "fulfilled") reads.push(outcome.value);
    else
      io.err(
        `segsync explain: ${CLOUD_NAMES[CLOUDS[position] as Cloud]} could not be read: ${describe(outcome.reason)}\n`,
      );
  }
  const [aws, azure, gcp] = reads;
  if (aws === undefined || azure === undefined || gcp === undefined) return 1;
  const workloads = reads.flatMap((read) => read.workloads);
  const intent = compile(policy, { workloads, networks: reads.flatMap((read) => read.networks) });
  const found = new Map(workloads.map((workload) => [workload.id, workload]));
  const lookup = { workload: (id: string) => asLiveWorkload(found.get(id)) };
  return {
    intent,
    policy,
    clouds: lookup,
    reach: { aws: aws.reach, azure: azure.reach, gcp: gcp.reach },
    where: "the clouds of the config",
    pending: reads.reduce((sum, read) => sum + read.pending(intent), 0),
  };
}

interface CloudRead {
  readonly workloads: readonly Workload[];
  readonly networks: Parameters<typeof compile>[1]["networks"];
  readonly reach: Reachability;
  /** How many operations a sync to this intent would apply. */
  pending(intent: Intent): number;
}

async function readCloud<
  State,
  Desired extends { readonly findings: readonly CloudFinding[] },
  Operation,
  Connection,
>(
  provider: CloudProvider<State, Desired, Operation, Connection>,
  connection: Connection,
  policy: Policy,
): Promise<CloudRead> {
  const { workloads, networks, state } = await provider.discover(connection, policy.labels);
  return {
    workloads,
    networks,
    reach: provider.evaluate(state),
    pending: (intent) => provider.diff(provider.materialize(intent, state, policy), state).length,
  };
}

/** A discovered workload as explainFlow reads one: by its primary NIC. */
function asLiveWorkload(workload: Workload | undefined): LiveWorkload | undefined {
  const nic = workload?.nics[0];
  if (workload === undefined || nic === undefined) return undefined;
  return {
    id: workload.id,
    parts: parseWorkloadId(workload.id),
    network: nic.network,
    privateIp: nic.privateIp,
    ...(nic.publicIp === undefined ? {} : { publicIp: nic.publicIp }),
    state: workload.state,
    tags: workload.tags,
    tagVersion: 0,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** What explain prints about one flow, ids short and within 80 columns (docs/reviewing-plans.md). */
function print(context: FlowContext, options: ExplainOptions, probe: Probe, io: CliIo): void {
  const flow = explainFlow(context, options.from, options.to, probe);
  if (options.json) {
    const json = {
      ...flow,
      probe: formatProbe(probe),
      pending: context.pending,
      findings: context.intent.findings,
    };
    io.out(`${JSON.stringify(json, null, 2)}\n`);
    return;
  }
  const paint = styler(io.color ?? false);
  const names = planNames(context.intent);
  const named = (id: string, identity?: string) => (identity ? `${id} (${identity})` : id);
  const to =
    flow.destination?.outside === undefined
      ? named(options.to, flow.to?.identity)
      : `${options.to} (outside)`;
  const heading = `${named(options.from, flow.from?.identity)} → ${to} on ${formatProbe(probe)}`;
  const lines = [...destinationLines(flow), ...sourceLines(flow.source)];
  if (context.pending > 0)
    lines.push(
      `pending: ${context.pending} operation(s) not applied yet (segsync plan --live lists them); native is what the clouds enforce now`,
    );
  // The verdict is painted apart from wrapping: escape codes take no columns on a terminal.
  const verdict = `verdict: ${flow.verdict === "allowed" ? paint("green", "allowed") : paint("red", "denied")}`;
  const wrapped = (line: string) => wrapLine(names.shorten(line));
  io.out(`${[...wrapped(heading), verdict, ...lines.flatMap(wrapped)].join("\n")}\n`);
  const findings = renderPolicyFindings(context.intent.findings, names);
  if (findings.length > 0) io.out(`${findings.join("\n")}\n`);
}
