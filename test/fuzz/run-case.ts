/**
 * Runs one campaign case (generate.ts) against the simulated clouds through the production path,
 * with its delivery order and fault schedule, and reports every problem the checks find:
 * - during the sequence, no reconcile closes a flow the policy allowed before and after it
 *   (check.ts, FlowWatch), except a reconcile in which someone edited an owned object;
 * - after it (faults off, events drained) at most three full syncs reach one without failures;
 * - then every cloud's evaluator equals the intent (test/sim/clouds-match-intent.ts), and a full
 *   sync plans nothing, fails nowhere, holds nothing back and has nothing refused.
 */
import { SEAL_TAG_KEY } from "../../lib/clouds/aws/ownership-keys.js";
import type { Intent } from "../../lib/compile/model.js";
import { parseWorkloadId } from "../../lib/inventory/ids.js";
import { CLOUDS, type Cloud } from "../../lib/inventory/model.js";
import { resolvePolicyDocument } from "../../lib/policy/load.js";
import type { ReconcileOptions, ReconcileResult } from "../../lib/reconcile/reconciler.js";
import { resolveEstateDocument } from "../../sim/estate.js";
import { SimulationRefusedError } from "../../sim/refusal.js";
import type { Step } from "../../sim/scenario-schema.js";
import { Simulation } from "../../sim/simulation.js";
import { checkCloudsAgainstIntent } from "../sim/clouds-match-intent.js";
import { FlowWatch } from "./check.js";
import type { Fault, FuzzCase } from "./generate.js";

export type ProblemKind =
  /** The case cannot happen (a shrunk step names a workload that is not there): not a finding. */
  | "invalid-case"
  | "exception"
  | "flow-blocked"
  | "not-converged"
  | "evaluator-differs"
  | "not-settled"
  | "guard-held"
  | "refused-operation";

export interface Problem {
  readonly kind: ProblemKind;
  readonly detail: string;
}

export interface CaseOutcome {
  readonly problems: readonly Problem[];
  /** Pipeline runs (reconciles and full syncs), the initial and final ones included. */
  readonly reconciles: number;
  /** Flow checks made by the watch (flows × moments). */
  readonly flowChecks: number;
  /** Probes the final evaluator check compared with the intent. */
  readonly evaluated: number;
  /** The pipeline faults that fired, as `kind@step:during|after` (during the apply, or after the step when it never came). */
  readonly fired: readonly string[];
}

/** More than enough for any generated case: a crash that never fires must not outlive its step. */
const NEVER = Number.MAX_SAFE_INTEGER;
const FINAL_FULL_SYNCS = 3;
const MAX_DRAINS = 20;

function operations(result: ReconcileResult): string[] {
  return Object.values(result.plan).flatMap(
    (part) => part?.summaries.map((s) => `${s.cloud} ${s.action} ${s.objectType} ${s.object}`) ?? [],
  );
}

function failures(result: ReconcileResult): string[] {
  return Object.entries(result.failures).map(([cloud, failure]) => `${cloud}: ${failure?.message}`);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The faults of the window kind in force at step `index`, set on the clouds (the others cleared). */
function setWindowFaults(simulation: Simulation, faults: readonly Fault[], index: number | undefined): void {
  for (const cloud of CLOUDS) {
    const active = (kind: Fault["kind"]) =>
      faults.findLast(
        (f) =>
          f.kind === kind &&
          "from" in f &&
          f.cloud === cloud &&
          index !== undefined &&
          f.from <= index &&
          index <= f.to,
      );
    const throttle = active("throttle");
    simulation.clouds.setThrottle(
      cloud,
      throttle?.kind === "throttle" ? { rate: throttle.rate, seed: throttle.seed } : undefined,
    );
    const errors = active("serverErrors");
    simulation.clouds.setServerErrors(
      cloud,
      errors?.kind === "serverErrors"
        ? { rate: errors.rate, seed: errors.seed, lostResponseShare: errors.lostResponseShare }
        : undefined,
    );
  }
}

/** Someone else's writes, made straight on the simulators (not through segsync's hooked ports). */
class OutsideHands {
  readonly pending: Promise<unknown>[] = [];
  readonly fired: string[] = [];

  constructor(private readonly simulation: Simulation) {}

  act(fault: Fault, moment: "during" | "after"): void {
    this.fired.push(`${fault.kind}@${"at" in fault ? fault.at : "?"}:${moment}`);
    if (fault.kind === "terminateWhileApplying") {
      // The step's change to the clouds is made synchronously; its events are ingested after.
      this.pending.push(this.simulation.step({ terminate: { id: fault.workload } }));
    } else if (fault.kind === "editOwned") this.revokeOwnedRule();
    else if (fault.kind === "editCustomer") this.addCustomerTag(fault.workload);
  }

  private revokeOwnedRule(): void {
    const { clouds } = this.simulation;
    for (const location of clouds.connections().aws.locations) {
      const sim = clouds.aws(location);
      const group = sim
        .state()
        .securityGroups.find((g) => g.Tags.some((t) => t.Key === SEAL_TAG_KEY) && g.IpPermissions.length > 0);
      const rule = group?.IpPermissions[0];
      if (group && rule) {
        this.pending.push(sim.revokeIngress(group.GroupId, [rule]).catch(() => undefined));
        return;
      }
    }
  }

  private addCustomerTag(workload: string): void {
    const parts = parseWorkloadId(workload);
    if (parts.cloud !== "gcp") return;
    const sim = this.simulation.clouds.gcp(parts.project);
    const instance = sim.state().instances.find((i) => i.name === parts.instanceName);
    if (!instance) return;
    const items = [...(instance.tags.items ?? []), "fz-customer"];
    this.pending.push(
      sim
        .setTags(parts.zone, parts.instanceName, items, instance.tags.fingerprint ?? "")
        .catch(() => undefined),
    );
  }

  async settle(): Promise<void> {
    await Promise.all(this.pending.splice(0));
  }
}

/** The pipeline faults of step `index` armed: a crash, and the outside hands' acts at their point of the apply. */
function armPipelineFaults(simulation: Simulation, hands: OutsideHands, faults: readonly Fault[]) {
  const waiting = faults.filter((f) => f.kind !== "throttle" && f.kind !== "serverErrors");
  for (const fault of waiting)
    if (fault.kind === "crash")
      for (const cloud of CLOUDS) simulation.clouds.failAfterWrites(cloud, fault.afterWrites);
  const acts = waiting.filter((f) => f.kind !== "crash");
  const fire = (done: number, cloud?: Cloud) => {
    for (const fault of [...acts]) {
      if (!("afterOperations" in fault) || fault.afterOperations !== done) continue;
      if (cloud !== undefined && fault.cloud !== cloud) continue;
      acts.splice(acts.indexOf(fault), 1);
      hands.act(fault, "during");
    }
  };
  const options: ReconcileOptions = {
    // Between segsync's reads and its first write.
    approve: () => {
      fire(0);
      return true;
    },
    onProgress: (progress) => fire(progress.done, progress.cloud),
  };
  /** After the step: what never found its moment happens now, and a crash that did not fire is disarmed. */
  const finish = () => {
    for (const fault of acts) hands.act(fault, "after");
    for (const cloud of CLOUDS) simulation.clouds.failAfterWrites(cloud, NEVER);
  };
  return { options, finish, edits: waiting.some((f) => f.kind === "editOwned" || f.kind === "editCustomer") };
}

export interface RunOptions {
  /**
   * Also watch the initial full sync: the flows its intent allows that the unmanaged clouds
   * already let through. Off by default: it trips a defect not fixed yet (test/fuzz/regressions/,
   * "aws-default-group-first-enforcement").
   */
  readonly watchInitialSync?: boolean;
  /** Called with the case's simulation before its first sync: to count what its reconciles see. */
  readonly observe?: (simulation: Simulation) => void;
}

export async function runCase(fuzz: FuzzCase, run: RunOptions = {}): Promise<CaseOutcome> {
  const policy = resolvePolicyDocument(fuzz.policy);
  if (!policy.ok)
    throw new Error(`generated policy refused: ${policy.issues.map((i) => i.message).join("; ")}`);
  const estate = resolveEstateDocument(fuzz.estate);
  if (!estate.ok) return invalid(`estate: ${estate.issues.map((i) => i.message).join("; ")}`);
  const simulation = Simulation.start(
    policy.policy,
    estate.estate,
    fuzz.delivery ? { delivery: fuzz.delivery } : {},
  );
  run.observe?.(simulation);
  const watch = new FlowWatch(simulation);
  const hands = new OutsideHands(simulation);
  const problems: Problem[] = [];
  let reconciles = 0;
  let evaluated = 0;
  const crashes: string[] = [];
  if (run.watchInitialSync) watch.start((await simulation.fullSync({ dryRun: true })).intent);
  let intent: Intent = (await simulation.fullSync()).intent;
  reconciles++;
  if (run.watchInitialSync)
    for (const detail of watch.blockedAfter(intent))
      problems.push({ kind: "flow-blocked", detail: `initial sync: ${detail}` });

  const pipeline = async (step: Step, options: ReconcileOptions, watchFlows: boolean) => {
    watch.start(intent);
    const outcome = await simulation.step(step, options);
    reconciles++;
    const result = outcome.result;
    if (!result) throw new Error("a pipeline step returned no result");
    intent = result.intent;
    for (const failure of failures(result))
      if (failure.includes("simulated crash")) crashes.push(`crash@${reconciles}`);
    const blocked = watch.blockedAfter(intent);
    if (watchFlows) for (const detail of blocked) problems.push({ kind: "flow-blocked", detail });
    return result;
  };

  try {
    for (const [index, step] of fuzz.steps.entries()) {
      setWindowFaults(simulation, fuzz.faults, index);
      if (!("reconcile" in step) && !("fullSync" in step)) {
        await simulation.step(step);
        continue;
      }
      const armed = armPipelineFaults(
        simulation,
        hands,
        fuzz.faults.filter((f) => "at" in f && f.at === index),
      );
      await pipeline(step, armed.options, !armed.edits);
      armed.finish();
      await hands.settle();
    }
    setWindowFaults(simulation, fuzz.faults, undefined);
    for (
      let drains = 0;
      simulation.pending.length > 0 || (simulation.delivery?.inFlight ?? 0) > 0;
      drains++
    ) {
      if (drains === MAX_DRAINS) throw new Error(`events still queued after ${MAX_DRAINS} reconciles`);
      await pipeline({ reconcile: {} }, {}, true);
    }
    let last = await pipeline({ fullSync: {} }, {}, true);
    for (let round = 1; round < FINAL_FULL_SYNCS && failures(last).length > 0; round++)
      last = await pipeline({ fullSync: {} }, {}, true);
    for (const detail of failures(last)) problems.push({ kind: "not-converged", detail });

    const check = await checkCloudsAgainstIntent(simulation, last.intent, policy.policy);
    evaluated = check.checked;
    for (const detail of check.mismatches) problems.push({ kind: "evaluator-differs", detail });

    const settled = await simulation.fullSync();
    reconciles++;
    for (const detail of [...operations(settled), ...failures(settled)])
      problems.push({ kind: "not-settled", detail });
    if (!settled.guard.allowed) problems.push({ kind: "guard-held", detail: settled.guard.reason });
    for (const refused of Object.values(settled.refused).flat())
      problems.push({ kind: "refused-operation", detail: `${refused?.summary.object}: ${refused?.error}` });
  } catch (error) {
    if (error instanceof SimulationRefusedError) return invalid(describe(error));
    problems.push({ kind: "exception", detail: describe(error) });
  }
  return { problems, reconciles, flowChecks: watch.checks, evaluated, fired: [...crashes, ...hands.fired] };
}

function invalid(detail: string): CaseOutcome {
  return {
    problems: [{ kind: "invalid-case", detail }],
    reconciles: 0,
    flowChecks: 0,
    evaluated: 0,
    fired: [],
  };
}
