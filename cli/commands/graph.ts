import { readFile } from "node:fs/promises";
import type { Intent } from "../../lib/compile/model.js";
import { flowGraph } from "../../lib/graph/build.js";
import { type CheckReport, parseCheckReport } from "../../lib/graph/check-report.js";
import { FlowCheckReportError } from "../../lib/graph/errors.js";
import type { GraphFormat } from "../../lib/graph/formats.js";
import type { FlowGraph } from "../../lib/graph/model.js";
import { overlayObserved } from "../../lib/graph/observed.js";
import { countEdges, toDot, toMermaid } from "../../lib/graph/text.js";
import type { Policy } from "../../lib/policy/model.js";
import type { ReconcileResult } from "../../lib/reconcile/reconciler.js";
import { Simulation } from "../../sim/simulation.js";
import { chooseTarget, loadSimulationInputs, type Target, type TargetOptions } from "../inputs.js";
import type { CliIo } from "../io.js";
import { openLiveSession } from "../live-session.js";
import { reportFailures } from "../narrate.js";
import { writeOutputFile } from "../output-file.js";

export interface GraphOptions extends TargetOptions {
  readonly policy: string;
  /** On a simulated estate: the graph after running this scenario. */
  readonly scenario?: string;
  readonly format: GraphFormat;
  readonly out?: string;
  /** What `flows check --json` wrote: its observed flows drawn over the policy's. */
  readonly flows?: string;
}

/** The intent the graph is drawn from, and what it shows, said at the top of the page. */
interface Drawn {
  readonly intent: Intent;
  /** Its deny rules are drawn (the intent has what they leave, not the rules). */
  readonly policy: Policy;
  readonly source: string;
}

/**
 * The allowed flows (docs/graph.md) of the simulated estate, after the optional scenario, or of
 * the real clouds (read only: a dry-run full sync). Exit 0; 1 on invalid input or a cloud that
 * could not be read (a graph without it would look complete and be wrong), or a `--flows` file that
 * is not what `flows check --json` writes.
 */
export async function graph(options: GraphOptions, io: CliIo): Promise<number> {
  const target = chooseTarget("graph", options, io);
  if (target === undefined) return 1;
  const checked = options.flows === undefined ? undefined : await readCheckReport(options.flows, io);
  if (checked === null) return 1;
  const drawn =
    target.kind === "live" ? await onLive(options, target, io) : await onEstate(options, target, io);
  if (typeof drawn === "number") return drawn;
  const policyGraph = flowGraph(drawn.intent, drawn.policy);
  const flows = checked ? overlayObserved(policyGraph, checked.report, checked.file) : policyGraph;
  const text = await render(flows, options.format, drawn.source);
  if (options.out === undefined) io.out(text);
  else {
    if (!(await writeOutputFile(options.out, text, "graph", io))) return 1;
    io.out(`${options.out}: ${summary(flows)} (${options.format})\n`);
  }
  return 0;
}

function summary(flows: FlowGraph): string {
  const identities = flows.nodes.filter((node) => node.kind === "identity" && node.state !== "absent").length;
  const said = `${identities} identities, ${countEdges(flows)}, ${flows.findings.length} findings`;
  if (flows.observed === undefined) return said;
  const wouldBlock = flows.observed.edges.filter((edge) => edge.kind === "would-block").length;
  return `${said}, ${flows.observed.edges.length} observed flows (${wouldBlock} would be blocked)`;
}

/** The `--flows` report; null (said on stderr) when it cannot be read or breaks the contract. */
async function readCheckReport(
  file: string,
  io: CliIo,
): Promise<{ report: CheckReport; file: string } | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    io.err(`segsync graph: cannot read the flows check ${file}: ${(error as Error).message}\n`);
    return null;
  }
  try {
    return { report: parseCheckReport(text, file), file };
  } catch (error) {
    if (!(error instanceof FlowCheckReportError)) throw error;
    io.err(`segsync graph: ${error.message}\n`);
    return null;
  }
}

async function render(flows: FlowGraph, format: GraphFormat, source: string): Promise<string> {
  if (format === "mermaid") return toMermaid(flows);
  if (format === "dot") return toDot(flows);
  // The page and its layout engine load only when a page is asked for: elkjs is large.
  const { toHtml } = await import("../../lib/graph/page.js");
  return toHtml(flows, { source });
}

/** The intent of the result, unless a cloud failed (said on stderr). */
function drawable(result: ReconcileResult, policy: Policy, source: string, io: CliIo): Drawn | number {
  return reportFailures("graph", result, io) ? 1 : { intent: result.intent, policy, source };
}

async function onEstate(
  options: GraphOptions,
  target: Extract<Target, { kind: "estate" }>,
  io: CliIo,
): Promise<Drawn | number> {
  const files = { policy: options.policy, estate: target.estate };
  const inputs = await loadSimulationInputs(
    options.scenario === undefined ? files : { ...files, scenario: options.scenario },
    io,
  );
  if (!inputs) return 1;
  const simulation = Simulation.start(inputs.policy, inputs.estate);
  if (!inputs.scenario)
    return drawable(await simulation.fullSync({ dryRun: true }), inputs.policy, target.estate, io);
  const outcomes = await simulation.run(inputs.scenario);
  for (const outcome of outcomes) if (outcome.result && reportFailures("graph", outcome.result, io)) return 1;
  const last = outcomes.flatMap((outcome) => (outcome.result ? [outcome.result] : [])).at(-1);
  if (last === undefined) {
    io.err(`segsync graph: ${options.scenario}: no reconcile ran, so there is no intent to draw\n`);
    return 1;
  }
  return { intent: last.intent, policy: inputs.policy, source: `${target.estate} after ${options.scenario}` };
}

async function onLive(
  options: GraphOptions,
  target: Extract<Target, { kind: "live" }>,
  io: CliIo,
): Promise<Drawn | number> {
  if (options.scenario !== undefined) {
    io.err("segsync graph: --scenario runs on a simulated estate only (--estate FILE)\n");
    return 1;
  }
  const session = await openLiveSession(options.policy, target, io);
  if (!session) return 1;
  const result = await session.reconciler.fullSync({ dryRun: true });
  return drawable(result, session.policy, `the clouds of ${target.config}`, io);
}
