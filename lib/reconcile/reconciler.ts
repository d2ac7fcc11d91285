import type { OperationSummary } from "../clouds/provider.js";
import { IncrementalCompiler } from "../compile/incremental.js";
import type { Intent } from "../compile/model.js";
import type { WorkloadEvent } from "../ingest/workload-event.js";
import { cloudOfId } from "../inventory/ids.js";
import {
  CLOUDS,
  type Cloud,
  type NetworkId,
  type WorkloadChange,
  type WorkloadId,
} from "../inventory/model.js";
import type { InventoryStore } from "../inventory/store.js";
import type { Policy } from "../policy/model.js";
import { compareText } from "../util/compare-text.js";
import type { AuditRecord, AuditSink } from "./audit.js";
import type { CloudDriver, CloudRead, DriverPlan } from "./driver.js";
import { checkBlastRadius, type GuardLimits, type GuardVerdict, heldOperations } from "./guard.js";
import type { CrossCloudPlan } from "./plan.js";
import { type CloudFailure, cloudFailure, worseFailure } from "./retryable.js";

/** Workloads a whole-cloud read missed are re-read this many at a time. */
const CONFIRM_CONCURRENCY = 8;
const NONE_HELD: ReadonlySet<number> = new Set();

/** The clouds this reconcile read, each with its read: what their plans are made from. */
type Reads = { [C in Cloud]?: CloudRead };

export interface ReconcileOptions {
  /** Plan and guard, but write nothing. */
  readonly dryRun?: boolean;
  /** Apply even a plan the blast-radius guard holds back. */
  readonly override?: boolean;
  /** Called after each applied operation, with that cloud's count so far (e.g. for a progress bar). */
  readonly onProgress?: (progress: ApplyProgress) => void;
  /**
   * Called with the plan (after the guard allowed it) before anything is written; false writes
   * nothing and marks the result `declined`. The CLI applies only the plan the user confirmed.
   */
  readonly approve?: (plan: CrossCloudPlan) => boolean;
}

export interface RefusedOperation {
  readonly summary: OperationSummary;
  readonly error: string;
}

/** How far one cloud's apply has got: `done` of its plan's `total` operations. */
export interface ApplyProgress {
  readonly cloud: Cloud;
  readonly done: number;
  readonly total: number;
}

export interface ReconcileResult {
  readonly intent: Intent;
  readonly plan: CrossCloudPlan;
  readonly guard: GuardVerdict;
  /** Operations applied per cloud. */
  readonly applied: Readonly<Partial<Record<Cloud, number>>>;
  /**
   * Why a cloud could not be read or written, and whether retrying can help; the others went on,
   * and the next reconcile converges.
   */
  readonly failures: Readonly<Partial<Record<Cloud, CloudFailure>>>;
  /**
   * Operations a cloud refused for one object (gone, invalid, over a quota, in use, not
   * permitted): each reported, the rest of the plan applied; retrying the message cannot help.
   */
  readonly refused: Readonly<Partial<Record<Cloud, readonly RefusedOperation[]>>>;
  /** `approve` refused the plan: nothing was written. */
  readonly declined?: boolean;
}

export interface ReconcilerDeps {
  readonly drivers: Readonly<Record<Cloud, CloudDriver>>;
  readonly store: InventoryStore;
  readonly policy: Policy;
  readonly audit: AuditSink;
  readonly guard: GuardLimits;
  readonly now?: () => Date;
}

/**
 * The one orchestration that does I/O (docs/architecture.md): events are hints, so each names a
 * workload to re-read from its cloud; the inventory store is updated, the intent recompiled
 * incrementally, and the places the change touches (the networks of the workloads before and after,
 * and those where the intent changed) are re-read, planned, guarded and applied, the clouds
 * concurrently. A full sync re-reads everything and repairs drift and missed events. A cloud that
 * fails does not stop the others; the next reconcile reads that cloud whole again, so it converges.
 */
export class Reconciler {
  private compiler: IncrementalCompiler | undefined;
  /** Clouds whose last plan was not fully applied (failed, held back, declined, dry run): read whole next time. */
  private readonly unsettled = new Set<Cloud>(CLOUDS);
  /**
   * Per cloud whose plan was held or failed: the intent its removals were judged against, kept
   * until the cloud settles, so that a held plan is decided again on the same grounds each time.
   */
  private readonly pinned: Partial<Record<Cloud, Intent>> = {};

  constructor(private readonly deps: ReconcilerDeps) {}

  async fullSync(options: ReconcileOptions = {}): Promise<ReconcileResult> {
    const { drivers, store, policy } = this.deps;
    const failures: Partial<Record<Cloud, CloudFailure>> = {};
    const before = (await this.ready()).snapshot();
    const read = await Promise.allSettled(CLOUDS.map((cloud) => drivers[cloud].discover(policy.labels)));
    const stored = await store.list();
    const reads: Reads = {};
    for (const [position, cloud] of CLOUDS.entries()) {
      const outcome = read[position] as PromiseSettledResult<CloudRead>;
      if (outcome.status === "rejected") {
        failures[cloud] = cloudFailure(outcome.reason);
        continue;
      }
      reads[cloud] = outcome.value;
      const found = new Set(outcome.value.workloads.map((w) => w.id));
      for (const workload of outcome.value.workloads) await store.put(workload);
      for (const network of outcome.value.networks) await store.putNetwork(network);
      const missing = stored
        .map((record) => record.workload.id)
        .filter((id) => cloudOfId(id) === cloud && !found.has(id));
      try {
        await this.confirmGone(cloud, missing);
      } catch (error) {
        failures[cloud] = cloudFailure(error);
        // Not planned: what the read missed is neither confirmed gone nor still there.
        delete reads[cloud];
      }
    }
    this.compiler = IncrementalCompiler.build(policy, await store.snapshot());
    return this.planAndApply(reads, failures, options, before);
  }

  /**
   * Workloads the store has and a whole-cloud read did not return are re-read one by one: only
   * those confirmed gone leave the store, so that a read that came back empty or partial never
   * turns into removals (docs/trust-model.md, "The blast-radius guard").
   */
  private async confirmGone(cloud: Cloud, missing: readonly WorkloadId[]): Promise<void> {
    const { drivers, store, policy } = this.deps;
    for (let start = 0; start < missing.length; start += CONFIRM_CONCURRENCY) {
      const ids = missing.slice(start, start + CONFIRM_CONCURRENCY);
      const reread = await Promise.all(ids.map((id) => drivers[cloud].discoverWorkload(id, policy.labels)));
      for (const [position, id] of ids.entries()) {
        const workload = reread[position];
        if (workload === undefined) await store.delete(id);
        else await store.put(workload);
      }
    }
  }

  async handleEvents(
    events: readonly WorkloadEvent[],
    options: ReconcileOptions = {},
  ): Promise<ReconcileResult> {
    const { drivers, store, policy } = this.deps;
    const compiler = await this.ready();
    const failures: Partial<Record<Cloud, CloudFailure>> = {};
    const changes: WorkloadChange[] = [];
    const touched = new Set<Cloud>();
    const networks = new Set<NetworkId>();
    const workloads = [...new Set(events.map((e) => e.workloadId))].sort(compareText);
    for (const id of workloads) {
      const cloud = cloudOfId(id);
      try {
        const workload = await drivers[cloud].discoverWorkload(id, policy.labels);
        // Where it was and where it is: its old NICs may still carry segsync's objects.
        for (const nic of (await store.get(id))?.workload.nics ?? []) networks.add(nic.network);
        for (const nic of workload?.nics ?? []) networks.add(nic.network);
        if (workload) {
          await store.put(workload);
          changes.push({ kind: "upsert", workload });
        } else {
          await store.delete(id);
          changes.push({ kind: "delete", id });
        }
        touched.add(cloud);
      } catch (error) {
        // A workload that cannot be read the same way every time is left as the store has it,
        // and the rest of its cloud goes on; a retryable failure holds the cloud back.
        failures[cloud] = worseFailure(failures[cloud], cloudFailure(error));
      }
    }
    const before = compiler.snapshot();
    const delta = compiler.apply(changes);
    for (const network of delta.networks) networks.add(network);
    for (const network of networks) touched.add(cloudOfId(network));
    const clouds = CLOUDS.filter(
      (cloud) => (touched.has(cloud) || this.unsettled.has(cloud)) && failures[cloud]?.retryable !== true,
    );
    const scope = (cloud: Cloud) =>
      this.unsettled.has(cloud)
        ? undefined
        : {
            networks: [...networks].filter((network) => cloudOfId(network) === cloud),
            workloads: workloads.filter((id) => cloudOfId(id) === cloud),
          };
    const read = await Promise.allSettled(
      clouds.map((cloud) => drivers[cloud].discover(policy.labels, scope(cloud))),
    );
    const reads: Reads = {};
    for (const [position, cloud] of clouds.entries()) {
      const outcome = read[position] as PromiseSettledResult<CloudRead>;
      if (outcome.status === "rejected") failures[cloud] = cloudFailure(outcome.reason);
      else reads[cloud] = outcome.value;
    }
    return this.planAndApply(reads, failures, options, before);
  }

  /** The compiler, rebuilt from the store after a cold start. */
  private async ready(): Promise<IncrementalCompiler> {
    this.compiler ??= IncrementalCompiler.build(this.deps.policy, await this.deps.store.snapshot());
    return this.compiler;
  }

  /**
   * Plans each cloud from its read, judges the plan by the cause of its removals against the plan
   * the intent `before` this reconcile's confirmed changes would get (the guard,
   * docs/trust-model.md), and applies all but the narrowing operations of held places.
   */
  private async planAndApply(
    reads: Reads,
    failures: Partial<Record<Cloud, CloudFailure>>,
    options: ReconcileOptions,
    before: Intent,
  ): Promise<ReconcileResult> {
    const intent = (await this.ready()).snapshot();
    const { clouds, plan, baseline } = this.planClouds(reads, intent, before);
    const guard = checkBlastRadius(plan, baseline, this.deps.guard, options.override ?? false);
    const held = heldOperations(plan, guard);
    const applied: Partial<Record<Cloud, number>> = {};
    const refused: { [C in Cloud]?: RefusedOperation[] } = {};
    const result = { intent, plan, guard, applied, failures, refused };
    if (options.dryRun) return this.unapplied(result, clouds);
    if (options.approve && !options.approve(plan))
      return this.unapplied({ ...result, declined: true }, clouds);
    await Promise.all(
      clouds.map(async (cloud) => {
        const part = plan[cloud];
        if (!part || part.operations.length === 0) return;
        applied[cloud] = await this.applyCloud(cloud, part, held[cloud] ?? NONE_HELD, options, result);
      }),
    );
    this.settle(clouds, failures, held, before);
    return result;
  }

  /** Each read cloud's plan for the intent, and its baseline: the plan its removals are judged against. */
  private planClouds(reads: Reads, intent: Intent, before: Intent) {
    const { drivers, policy } = this.deps;
    const clouds: Cloud[] = [];
    const plan: { [C in Cloud]?: DriverPlan } = {};
    const baseline: { -readonly [C in Cloud]?: CrossCloudPlan[C] } = {};
    for (const cloud of CLOUDS) {
      const read = reads[cloud];
      if (read === undefined) continue;
      clouds.push(cloud);
      // Both plans from the same read: the baseline differs from the plan by its intent only.
      plan[cloud] = drivers[cloud].plan(read, intent, policy);
      // A cloud not yet settled keeps the baseline it was judged against when it was held.
      baseline[cloud] = drivers[cloud].plan(read, this.pinned[cloud] ?? before, policy);
    }
    return { clouds, plan, baseline };
  }

  /**
   * One cloud's plan applied but for its held operations, each audited as it is applied, refused
   * or failed; a failure stops the cloud and is recorded in `result.failures`. Returns how many applied.
   */
  private async applyCloud(
    cloud: Cloud,
    part: DriverPlan,
    held: ReadonlySet<number>,
    options: ReconcileOptions,
    result: {
      failures: Partial<Record<Cloud, CloudFailure>>;
      refused: { [C in Cloud]?: RefusedOperation[] };
    },
  ): Promise<number> {
    let done = 0;
    let next = 0;
    const record = (index: number, outcome: AuditRecord["outcome"], error?: unknown) =>
      this.record(cloud, part, index, outcome, error, result.refused);
    try {
      await this.deps.drivers[cloud].apply(
        part,
        held,
        (index) => {
          done++;
          next = index + 1;
          record(index, "applied");
          options.onProgress?.({ cloud, done, total: part.operations.length });
        },
        (index, error) => {
          next = index + 1;
          record(index, "refused", error);
        },
      );
    } catch (error) {
      result.failures[cloud] = cloudFailure(error);
      record(next, "failed", error);
    }
    return done;
  }

  /** The audit record of one operation of a plan; a refused one is also listed in `refused`. */
  private record(
    cloud: Cloud,
    part: DriverPlan,
    index: number,
    outcome: AuditRecord["outcome"],
    error: unknown,
    refused: { [C in Cloud]?: RefusedOperation[] },
  ): void {
    const summary = part.summaries[index];
    if (summary === undefined) return;
    const time = (this.deps.now?.() ?? new Date()).toISOString();
    const text = error === undefined ? {} : { error: describe(error) };
    this.deps.audit.record({ ...summary, time, outcome, operation: part.operations[index], ...text });
    if (outcome !== "refused") return;
    const list = refused[cloud] ?? [];
    list.push({ summary, error: describe(error) });
    refused[cloud] = list;
  }

  /**
   * After an apply: a cloud that failed, or whose plan was held, stays unsettled (read whole next
   * time) with its baseline pinned; a cloud applied in full settles.
   */
  private settle(
    clouds: readonly Cloud[],
    failures: Partial<Record<Cloud, CloudFailure>>,
    held: Partial<Record<Cloud, unknown>>,
    before: Intent,
  ): void {
    for (const cloud of CLOUDS) if (failures[cloud] !== undefined) this.unsettled.add(cloud);
    for (const cloud of clouds) {
      if (failures[cloud] === undefined && held[cloud] === undefined) {
        this.unsettled.delete(cloud);
        delete this.pinned[cloud];
      } else {
        this.unsettled.add(cloud);
        this.pinned[cloud] ??= before;
      }
    }
  }

  /** A plan not applied (a dry run, declined): every cloud with operations or a failure stays unsettled. */
  private unapplied(result: ReconcileResult, clouds: readonly Cloud[]): ReconcileResult {
    for (const cloud of clouds)
      if ((result.plan[cloud]?.operations.length ?? 0) > 0) this.unsettled.add(cloud);
    for (const cloud of CLOUDS) if (result.failures[cloud] !== undefined) this.unsettled.add(cloud);
    return result;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
