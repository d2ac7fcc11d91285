import { join } from "node:path";
import type { Reachability } from "../../lib/clouds/provider.js";
import type { Intent } from "../../lib/compile/model.js";
import { cloudOfId } from "../../lib/inventory/ids.js";
import { CLOUD_NAMES, type Cloud } from "../../lib/inventory/model.js";
import { formatService } from "../../lib/policy/services.js";
import { planTotals } from "../../lib/reconcile/plan.js";
import type { ReconcileResult } from "../../lib/reconcile/reconciler.js";
import { PLAN_WIDTH, wrapText } from "../../lib/reconcile/wrap.js";
import { packageRoot } from "../../lib/util/package-root.js";
import type { Estate } from "../../sim/estate-schema.js";
import type { Step } from "../../sim/scenario.js";
import { Simulation } from "../../sim/simulation.js";
import { destinationsOf, type Peer, peersOf } from "../flows.js";
import { loadSimulationInputs } from "../inputs.js";
import type { CliIo } from "../io.js";
import { describeApplied, describeEvents, describeResult, describeStep, estateNames } from "../narrate.js";
import { INDENTED_WIDTH, indent, styler } from "../style.js";
import { lookFirst } from "./demo-look-first.js";
import { policyV2 } from "./demo-v2.js";

export const DEMO_FILES = {
  policy: "examples/policy.yaml",
  estate: "examples/estate.yaml",
  scenario: "examples/scenarios/migrate-aws-to-azure.yaml",
  traffic: "examples/scenarios/traffic.yaml",
  policyV2: "examples/policy-v2.yaml",
  scenarioV2: "examples/scenarios/egress.yaml",
} as const;

/** The demo's files where segsync is installed: `npx segsync demo` works from any folder. */
function demoFilesInPackage(): Record<keyof typeof DEMO_FILES, string> {
  const root = packageRoot();
  return {
    policy: join(root, DEMO_FILES.policy),
    estate: join(root, DEMO_FILES.estate),
    scenario: join(root, DEMO_FILES.scenario),
    traffic: join(root, DEMO_FILES.traffic),
    policyV2: join(root, DEMO_FILES.policyV2),
    scenarioV2: join(root, DEMO_FILES.scenarioV2),
  };
}

type Migration = Extract<Step, { migrate: unknown }>["migrate"];

interface ReachRow {
  readonly peer: Peer;
  readonly service: string;
  readonly native?: { object: string; rule: string };
}

/** For each peer the intent lets reach the workload, each of its services probed in the workload's cloud. */
function reachabilityOf(intent: Intent, reach: Record<Cloud, Reachability>, workload: string): ReachRow[] {
  return destinationsOf(intent, workload).flatMap((destination) =>
    peersOf(intent, destination).flatMap((peer) =>
      peer.services.map((service): ReachRow => {
        const port = "fromPort" in service ? service.fromPort : undefined;
        const protocol = service.protocol === "all" ? "tcp" : service.protocol;
        const native =
          peer.address === undefined
            ? undefined
            : reach[destination.cloud].explain({
                workload,
                network: destination.network,
                sourceAddress: peer.address,
                protocol,
                ...(port === undefined ? {} : { port }),
              });
        return { peer, service: formatService(service), ...(native ? { native } : {}) };
      }),
    ),
  );
}

/** What each cloud rewrote, one line per cloud: "AWS: 17 operations (6 created, 11 changed)". */
function perCloudCounts(result: ReconcileResult): string[] {
  return Object.values(result.plan).flatMap((part) => {
    if (!part || part.summaries.length === 0) return [];
    const count = (action: string) => part.summaries.filter((s) => s.action === action).length;
    return [
      `${CLOUD_NAMES[part.cloud]}: ${part.summaries.length} operation(s): ${count("create")} created, ${count("update")} changed, ${count("delete")} deleted`,
    ];
  });
}

/** How the demo speaks: workloads by their short names, every line within 80 columns (docs/reviewing-plans.md). */
interface Narrator {
  readonly say: (text: string, by?: string) => void;
  readonly heading: (text: string) => void;
  readonly paint: ReturnType<typeof styler>;
  readonly color: boolean;
  /** The findings describeResult has told already, so that each is told once. */
  readonly shown: Set<string>;
}

function narratorFor(io: CliIo, estate: Estate, steps: readonly Step[]): Narrator {
  const color = io.color ?? false;
  const paint = styler(color);
  const names = estateNames(estate, steps);
  const say = (text: string, by = "") =>
    io.out(`${indent(wrapText(names.shorten(text), PLAN_WIDTH - by.length), by)}\n`);
  const heading = (text: string) => say(`\n${paint("bold", paint("cyan", text))}`);
  return { say, heading, paint, color, shown: new Set<string>() };
}

/**
 * The README's main command: the example estate and policy, the initial sync, then a workload
 * migrating from AWS to Azure step by step, and its effective reachability before and after; then
 * "look first": the policy in visibility against real traffic, what enforcing would break, the
 * suggested rules, and the same traffic once they are enforced; then policy v2: deny rules and
 * enforced egress, a few flows decided at both ends.
 */
export async function demo(io: CliIo): Promise<number> {
  const started = Date.now();
  const { policy, estate, scenario } = demoFilesInPackage();
  const inputs = await loadSimulationInputs({ policy, estate, scenario }, io);
  if (!inputs?.scenario) return 1;
  const steps = inputs.scenario.steps;
  const migration = steps.flatMap((s): Migration[] => ("migrate" in s ? [s.migrate] : []))[0];
  if (!migration) {
    io.err(`${DEMO_FILES.scenario}: the demo needs a migrate step\n`);
    return 1;
  }
  const simulation = Simulation.start(inputs.policy, inputs.estate);
  const narrator = narratorFor(io, inputs.estate, steps);
  introduce(narrator, inputs.estate);

  narrator.heading("1. Initial sync: segsync reads the clouds and rewrites them to enforce the policy");
  const initial = await simulation.fullSync();
  narrator.say(`${perCloudCounts(initial).join("\n")}\n`, "  ");
  narrator.say(describeResult(initial, narratorOptions(narrator)).join("\n"), "  ");
  const initialFailed = Object.keys(initial.failures).length > 0;
  const beforeRows = reachabilityOf(initial.intent, await simulation.reachability(), migration.from);
  const identity = initial.intent.workloads.find((w) => w.workload === migration.from)?.identity ?? "";

  narrator.heading(`2. Migration: ${migration.from} is replaced by ${migration.to.id}`);
  const migrated = await runMigration(simulation, steps, narrator, initial);

  const afterRows = reachabilityOf(migrated.last.intent, await simulation.reachability(), migration.to.id);
  narrator.heading(`3. Effective reachability of ${identity || migration.to.id}, the migrated workload`);
  compareReachability(narrator, migration, beforeRows, afterRows);
  const files = demoFilesInPackage();
  const lookedFirst = await lookFirst(files, narrator, io);
  const v2 = { policy: files.policyV2, estate: files.estate, scenario: files.scenarioV2 };
  const v2Shown = await policyV2(v2, narrator, io);
  const failed = initialFailed || migrated.failed || !lookedFirst || !v2Shown;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  narrator.say(
    `\nDone in ${seconds} s: ${simulation.audit.records.length} native operations applied and audited${failed ? "; some failed (see above)" : ""}.`,
  );
  return failed ? 1 : 0;
}

function narratorOptions(narrator: Narrator) {
  return { color: narrator.color, shown: narrator.shown, width: INDENTED_WIDTH };
}

/** The opening lines: how many workloads and networks in which clouds, and the files read. */
function introduce(narrator: Narrator, estate: Estate): void {
  const clouds = new Set(estate.workloads.map((w) => CLOUD_NAMES[cloudOfId(w.id)]));
  narrator.say(
    `${narrator.paint("bold", "segsync demo")}: ${estate.workloads.length} workloads in ${estate.networks.length} networks across ${[...clouds].join(", ")}, on simulated clouds.\n` +
      `Estate ${DEMO_FILES.estate}, policy ${DEMO_FILES.policy},\nscenario ${DEMO_FILES.scenario}.`,
  );
}

/**
 * The scenario's steps after the initial sync, then one last reconcile of what is still pending,
 * each narrated with what the reconciler rewrote. Returns the last result and whether any failed.
 */
async function runMigration(
  simulation: Simulation,
  steps: readonly Step[],
  narrator: Narrator,
  initial: ReconcileResult,
): Promise<{ last: ReconcileResult; failed: boolean }> {
  let last = initial;
  let failed = false;
  const after = [...steps.filter((s) => !("fullSync" in s)), { reconcile: {} }];
  for (const step of after) {
    if ("reconcile" in step && simulation.pending.length === 0) continue;
    const outcome = await simulation.step(step);
    narrator.say(narrator.paint("bold", `» ${describeStep(step)}`));
    const lines = describeEvents(outcome);
    if (outcome.result) {
      last = outcome.result;
      failed ||= Object.keys(outcome.result.failures).length > 0;
      const totals = planTotals(outcome.result.plan);
      lines.push(
        `The reconciler re-read those workloads and rewrote only what refers to them (${totals.operations} operation(s); applied: ${describeApplied(outcome.result)}):`,
        ...perCloudCounts(outcome.result).map((line) => `  ${line}`),
        "",
        ...describeResult(outcome.result, narratorOptions(narrator)),
      );
    }
    if (lines.length > 0) narrator.say(lines.join("\n"), "  ");
  }
  return { last, failed };
}

/** For each peer and service, before and after: allowed by which native rule, denied, or not granted. */
function compareReachability(
  narrator: Narrator,
  migration: Migration,
  beforeRows: readonly ReachRow[],
  afterRows: readonly ReachRow[],
): void {
  const { say, paint } = narrator;
  const verdict = (row: ReachRow | undefined) =>
    row === undefined
      ? paint("dim", "not granted")
      : row.native
        ? `${paint("green", "allowed")} by ${row.native.object}: ${row.native.rule}`
        : paint("red", "DENIED (drift)");
  const keyOf = (row: ReachRow) => `${row.peer.identity} ${row.service}`;
  const beforeByKey = new Map(beforeRows.map((r) => [keyOf(r), r]));
  const afterByKey = new Map(afterRows.map((r) => [keyOf(r), r]));
  const keys = [...new Set([...beforeByKey.keys(), ...afterByKey.keys()])].sort();
  for (const key of keys) {
    const b = beforeByKey.get(key);
    const a = afterByKey.get(key);
    const peer = (a ?? b)?.peer;
    const rules = peer?.rules.join(", ") ?? "";
    say(`${paint("bold", key)} (policy rule ${rules})`, "  ");
    say(`before, ${migration.from} from ${b?.peer.address ?? "-"}: ${verdict(b)}`, "    ");
    say(`after,  ${migration.to.id} from ${a?.peer.address ?? "-"}: ${verdict(a)}`, "    ");
  }
}
