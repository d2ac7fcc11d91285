import { planTotals } from "../../lib/reconcile/plan.js";
import { wrapText } from "../../lib/reconcile/wrap.js";
import type { AtLeastOnceDelivery, DeliveryOptions } from "../../sim/delivery.js";
import { parseDeliverySpec } from "../../sim/delivery-spec.js";
import { Simulation, type StepOutcome } from "../../sim/simulation.js";
import type { TrafficOutcome } from "../../sim/traffic/send.js";
import { writeFlowLogs } from "../flow-logs-out.js";
import { loadSimulationInputs, type SimulationFiles } from "../inputs.js";
import type { CliIo } from "../io.js";
import {
  describeChange,
  describeEvents,
  describeResult,
  describeStep,
  describeTraffic,
  estateNames,
  hasFailures,
} from "../narrate.js";
import { writeOutputFile } from "../output-file.js";
import { INDENTED_WIDTH, indent, styler } from "../style.js";

export interface SimulateOptions extends Required<SimulationFiles> {
  readonly stateOut: string;
  readonly json?: boolean;
  /** `duplicate[=RATE],reorder[=WINDOW]`: at-least-once delivery of the events (sim/delivery.ts). */
  readonly delivery?: string;
  readonly seed?: string;
  /** Where to write the simulated clouds' flow logs, one folder per cloud. */
  readonly flowLogsOut?: string;
}

/** A traffic step's flows as --json prints them: each flow as written, its verdict, and what each cloud logged. */
function trafficJson(traffic: TrafficOutcome) {
  return {
    connections: traffic.connections,
    flows: traffic.flows.map(({ flow, ...outcome }) => ({ ...flow, ...outcome })),
    findings: traffic.findings,
  };
}

/**
 * The step as --json prints it: the step, its events, and for reconciles the plan summaries, the
 * compiler's findings (info ones too), the outcome, the port calls each cloud received and the
 * reconcile's wall time; with a delivery model, also the events each reconcile drained, in delivery order.
 */
function stepJson(outcome: StepOutcome, delivery: boolean) {
  const result = outcome.result;
  return {
    step: outcome.step,
    events: outcome.events.length,
    queued: outcome.parsed,
    ...(delivery && outcome.drained !== undefined ? { drained: outcome.drained } : {}),
    ...(outcome.traffic === undefined ? {} : { traffic: trafficJson(outcome.traffic) }),
    ...(result === undefined
      ? {}
      : {
          plan: Object.fromEntries(
            Object.entries(result.plan).map(([cloud, part]) => [
              cloud,
              { summaries: part?.summaries ?? [], findings: part?.findings ?? [] },
            ]),
          ),
          findings: result.intent.findings,
          totals: planTotals(result.plan),
          guard: result.guard,
          applied: result.applied,
          failures: result.failures,
          ...(outcome.calls === undefined ? {} : { calls: outcome.calls }),
          ...(outcome.wallMs === undefined ? {} : { wallMs: Math.round(outcome.wallMs * 10) / 10 }),
        }),
  };
}

/**
 * Runs the scenario on the simulated estate (an initial full sync, every step, a last drain),
 * prints what each step did, and writes the final native state (docs/formats.md, "State") to
 * --state-out. Exit 0; 1 on invalid input or when a reconcile reports failures.
 */
export async function simulate(options: SimulateOptions, io: CliIo): Promise<number> {
  const delivery = deliveryOptions(options, io);
  if (delivery === null) return 1;
  const inputs = await loadSimulationInputs(options, io);
  if (!inputs?.scenario) return 1;
  const simulation = Simulation.start(inputs.policy, inputs.estate, delivery ? { delivery } : {});
  const outcomes = await simulation.run(inputs.scenario);
  const state = `${JSON.stringify(simulation.clouds.stateOut(), null, 2)}\n`;
  if (!(await writeOutputFile(options.stateOut, state, "simulate", io))) return 1;
  const logs = options.flowLogsOut;
  if (logs !== undefined && !(await writeFlowLogs(logs, simulation.clouds.flowLogs.files(), io))) return 1;
  const held = outcomes.filter((outcome) => outcome.result?.guard.allowed === false).length;
  const failed = outcomes.some((outcome) => hasFailures(outcome.result)) || held > 0;
  const model = simulation.delivery;
  if (options.json) {
    const steps = outcomes.map((outcome) => stepJson(outcome, model !== undefined));
    const extra = model ? { delivery: { options: model.options, stats: model.stats } } : {};
    io.out(`${JSON.stringify({ steps, ...extra, stateOut: options.stateOut }, null, 2)}\n`);
    return failed ? 1 : 0;
  }
  const paint = styler(io.color ?? false);
  // Workloads by their short names, every line within 80 columns (docs/reviewing-plans.md).
  const names = estateNames(inputs.estate, inputs.scenario.steps);
  const delivered = new Set<string>();
  const shown = new Set<string>();
  for (const [index, outcome] of outcomes.entries()) {
    const title = index === 0 ? "full sync (initial)" : describeStep(outcome.step);
    io.out(`${wrapText(names.shorten(paint("bold", `Step ${index}: ${title}`)))}\n`);
    const lines = [
      ...describeEvents(outcome),
      ...describeTraffic(outcome),
      ...(model ? describeDrained(outcome, delivered) : []),
      ...(outcome.result
        ? describeResult(outcome.result, { color: io.color ?? false, shown, width: INDENTED_WIDTH })
        : []),
    ];
    if (lines.length > 0) io.out(`${indent(wrapText(names.shorten(lines.join("\n")), INDENTED_WIDTH))}\n`);
  }
  if (model) io.out(`${describeDelivery(model)}\n`);
  io.out(`Final state written to ${options.stateOut} (${simulation.audit.records.length} audit records).\n`);
  if (held > 0)
    io.err(
      `segsync simulate: the blast-radius guard held back narrowing operations in ${held} reconcile(s) (see above)\n`,
    );
  else if (failed) io.err("segsync simulate: a reconcile reported failures (see above)\n");
  return failed ? 1 : 0;
}

/** The delivery model asked for; undefined for none; null after printing why the options are wrong. */
function deliveryOptions(options: SimulateOptions, io: CliIo): DeliveryOptions | undefined | null {
  if (options.delivery === undefined) {
    if (options.seed === undefined) return undefined;
    io.err("segsync simulate: --seed seeds the delivery model: it needs --delivery\n");
    return null;
  }
  const parsed = parseDeliverySpec(options.delivery, options.seed);
  if (parsed.ok) return parsed.options;
  io.err(`segsync simulate: ${parsed.message}\n`);
  return null;
}

/** "4 event(s) delivered to this reconcile:" and each, marked when it came before (a redelivery). */
function describeDrained(outcome: StepOutcome, delivered: Set<string>): string[] {
  if (outcome.drained === undefined) return [];
  if (outcome.drained.length === 0) return ["No event delivered to this reconcile."];
  const lines = [`${outcome.drained.length} event(s) delivered to this reconcile, in this order:`];
  for (const event of outcome.drained) {
    const again = delivered.has(event.eventId) ? " (delivered again)" : "";
    delivered.add(event.eventId);
    lines.push(`  ${event.workloadId}: ${describeChange(event)}${again}`);
  }
  return lines;
}

function describeDelivery(model: AtLeastOnceDelivery): string {
  const { sent, delivered, redelivered, heldBack } = model.stats;
  return (
    `Delivery (seed ${model.options.seed}): ${sent} event(s) sent, ${delivered} delivered: ` +
    `${redelivered} again after the queue's 5-minute deduplication window, ` +
    `${heldBack} held back to a later reconcile.`
  );
}
