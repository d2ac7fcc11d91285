import type { Policy } from "../../lib/policy/model.js";
import { planTotals } from "../../lib/reconcile/plan.js";
import { planNames } from "../../lib/reconcile/plan-names.js";
import type { ReconcileResult } from "../../lib/reconcile/reconciler.js";
import { renderPlan } from "../../lib/reconcile/render.js";
import { wrapLine } from "../../lib/reconcile/wrap.js";
import { compareText } from "../../lib/util/compare-text.js";
import { Simulation } from "../../sim/simulation.js";
import type { SimulatedState } from "../../sim/state-out.js";
import { chooseTarget, loadSimulationInputs, type Target, type TargetOptions } from "../inputs.js";
import type { CliIo, CommandContext } from "../io.js";
import { openLiveSession } from "../live-session.js";
import {
  changedSincePlan,
  describeApplied,
  describeResult,
  hasFailures,
  operationsPerCloud,
  reportFailures,
  sameAs,
} from "../narrate.js";
import { type ProgressTerminal, progressReporter } from "../progress.js";
import { indent, styler } from "../style.js";

export interface RestoreOptions extends TargetOptions {
  readonly policy: string;
  /** Live only: restore without asking. */
  readonly yes?: boolean;
}

/** Where the progress bar of a live restore is drawn (process.stderr from the command line). */
export interface RestoreContext extends CommandContext {
  readonly progress?: ProgressTerminal;
}

/** The policy with every ruleset in visibility: segsync then enforces nothing and gives the originals back. */
export function allVisibility(policy: Policy): Policy {
  return { ...policy, rulesets: policy.rulesets.map((r) => ({ ...r, enforcement: "visibility" as const })) };
}

/** Each workload's attachment: AWS ENI groups, Azure NIC NSG, GCP network tags; by a readable key. */
export function attachments(state: SimulatedState): Map<string, string> {
  const result = new Map<string, string>();
  for (const eni of state.aws.networkInterfaces)
    result.set(
      `AWS ${eni.NetworkInterfaceId} (${eni.Attachment?.InstanceId ?? "detached"}) groups`,
      (eni.Groups ?? []).map((g) => g.GroupName ?? g.GroupId).join(" ") || "none",
    );
  for (const nic of state.azure.networkInterfaces)
    result.set(`Azure ${nic.name} NSG`, nic.networkSecurityGroup?.id.split("/").at(-1) ?? "none");
  for (const instance of state.gcp.instances)
    result.set(`GCP ${instance.name} tags`, (instance.tags?.items ?? []).join(" ") || "none");
  return new Map([...result].sort(([a], [b]) => compareText(a, b)));
}

/**
 * Puts back what segsync's exclusive attachments recorded (AWS ENI groups, Azure NIC NSGs, GCP
 * network tags) and deletes segsync's objects: on the simulated estate, after an initial sync
 * there (a demonstration); on the real clouds of a live config, a rollback of a deployment. Exit 0
 * restored (or nothing to restore), 1 on error or without confirmation.
 */
export async function restore(
  options: RestoreOptions,
  io: CliIo,
  progress?: ProgressTerminal,
): Promise<number> {
  const target = chooseTarget("restore", options, io);
  if (target === undefined) return 1;
  return target.kind === "live"
    ? restoreLive(options, target, io, progress)
    : restoreEstate(options.policy, target.estate, io);
}

/** How many labelled workloads that are not running a restore names before "and N more". */
const LISTED_INACTIVE = 10;

/**
 * A full sync of the configured clouds under the policy with every ruleset in visibility: its plan
 * detaches segsync's groups, NSGs and tags, re-attaches the recorded originals and deletes every
 * owned object. Shown, confirmed (unless --yes), then applied with the progress bar.
 */
async function restoreLive(
  options: RestoreOptions,
  target: Extract<Target, { kind: "live" }>,
  io: CliIo,
  progress: ProgressTerminal | undefined,
): Promise<number> {
  const session = await openLiveSession(options.policy, target, io, allVisibility);
  if (!session) return 1;
  // Removing every owned rule is what a restore is for, so the blast-radius guard, which holds back
  // plans that remove many (a bad policy, an empty read), would hold back every restore: with
  // --override always required it would check nothing. The plan shown and the confirmation are the check.
  const planned = await session.reconciler.fullSync({ dryRun: true, override: true });
  showRestorePlan(planned, io);
  if (reportFailures("restore", planned, io)) return 1;
  noteInactive(planned, io);
  if (planTotals(planned.plan).operations === 0) return 0;
  if (!options.yes) {
    if (!io.interactive || !io.ask) {
      io.err("segsync restore: not restoring without confirmation: stdin is not a terminal; pass --yes\n");
      return 1;
    }
    const answer = (
      await io.ask("Restore the original attachments and delete segsync's objects? Only 'yes' restores: ")
    )
      .trim()
      .toLowerCase();
    if (answer !== "yes") {
      io.out("Not restored.\n");
      return 1;
    }
  }
  const bar = progressReporter(progress, operationsPerCloud(planned.plan));
  const result = await session.reconciler.fullSync({
    override: true,
    onProgress: bar.onProgress,
    approve: sameAs(planned.plan),
  });
  bar.finish();
  if (result.declined) return changedSincePlan("restore", io);
  const failed = reportFailures("restore", result, io);
  io.out(`Restored: ${describeApplied(result)} (${session.audit.records.length} audit records).\n`);
  return failed ? 1 : 0;
}

const NO_CHANGES = "No changes: the clouds already enforce the policy.\n";
const NOTHING_TO_RESTORE =
  "Nothing to restore: no running workload in the clouds of the config carries segsync's groups, NSGs or tags, " +
  "and none of segsync's objects is left to delete.\n";

/** The restore's plan; nothing when it is empty because clouds could not be read. */
function showRestorePlan(result: ReconcileResult, io: CliIo): void {
  const empty = planTotals(result.plan).operations === 0;
  if (hasFailures(result) && empty) return;
  const rendered = renderPlan(result.plan, { color: io.color ?? false, names: planNames(result.intent) });
  if (empty) {
    // Under the all-visibility policy "already enforce the policy" would read as "segsync enforces".
    io.out(rendered.replace(NO_CHANGES, NOTHING_TO_RESTORE));
    return;
  }
  const paint = styler(io.color ?? false);
  const heading = wrapLine(
    "Restore: segsync's groups, NSGs and tags come off, the recorded originals go back on, segsync's objects are deleted",
  );
  io.out(`${heading.map((line) => paint("bold", line)).join("\n")}\n`);
  io.out(rendered);
}

/** Workloads that are not running keep what they carry (restores skip them, as syncs do): say which. */
function noteInactive(result: ReconcileResult, io: CliIo): void {
  const inactive = result.intent.workloads
    .filter((w) => w.treatment === "inactive" && w.identity !== "")
    .map((w) => w.workload);
  if (inactive.length === 0) return;
  const more = inactive.length > LISTED_INACTIVE ? `, and ${inactive.length - LISTED_INACTIVE} more` : "";
  io.out(
    `Not running, so left as they are: ${inactive.slice(0, LISTED_INACTIVE).join(", ")}${more}; ` +
      "restore again once they run.\n",
  );
}

/**
 * On the simulated estate: an initial sync (segsync takes over the attachments and records the
 * originals), then the policy switched to all-visibility and applied with override, which puts the
 * original groups, NSGs and tags back. Prints the attachments at each stage.
 */
async function restoreEstate(policy: string, estate: string, io: CliIo): Promise<number> {
  const inputs = await loadSimulationInputs({ policy, estate }, io);
  if (!inputs) return 1;
  const paint = styler(io.color ?? false);
  const simulation = Simulation.start(inputs.policy, inputs.estate);
  const original = attachments(simulation.clouds.stateOut());
  const synced = await simulation.fullSync();
  const enforced = attachments(simulation.clouds.stateOut());
  io.out(`${paint("bold", "Restore: every ruleset switched to visibility, applied with override")}\n`);
  const restored = await simulation.withPolicy(allVisibility(inputs.policy)).fullSync({ override: true });
  io.out(`${indent(describeResult(restored, { color: io.color ?? false }).join("\n"))}\n`);
  const after = attachments(simulation.clouds.stateOut());
  io.out(
    `${paint("bold", "Attachments segsync took over: before segsync → while enforced → after restore")}\n`,
  );
  let mismatches = 0;
  for (const [key, before] of original) {
    const now = after.get(key) ?? "gone";
    if (now !== before) mismatches++;
    if (now === before && enforced.get(key) === before) continue; // segsync never touched it
    const mark = now === before ? paint("green", "restored") : paint("red", "NOT restored");
    io.out(`  ${key}: ${before} → ${enforced.get(key) ?? "gone"} → ${now}  ${mark}\n`);
  }
  const failed = Object.keys(synced.failures).length > 0 || Object.keys(restored.failures).length > 0;
  io.out(
    mismatches === 0 && !failed
      ? "Every original attachment is back.\n"
      : `${mismatches} attachment(s) not restored${failed ? "; a reconcile failed" : ""}.\n`,
  );
  return mismatches === 0 && !failed ? 0 : 1;
}
