import type { OperationSummary } from "../clouds/provider.js";
import { IncrementalCompiler } from "../compile/incremental.js";
import type { Intent } from "../compile/model.js";
import { type ChangeSlices, wholeBefore } from "../compile/slice.js";
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
import {
  type CoalesceLimits,
  DEFAULT_COALESCE_LIMITS,
  networkOfPeerSet,
  PeerSetCoalescer,
} from "./coalesce.js";
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
  /** Peer set keys whose growth waits for a later batch of this burst (lib/reconcile/coalesce.ts). */
  readonly coalesced?: readonly string[];
}

export interface ReconcilerDeps {
  readonly drivers: Readonly<Record<Cloud, CloudDriver>>;
  readonly store: InventoryStore;
  readonly policy: Policy;
  readonly audit: AuditSink;
  readonly guard: GuardLimits;
  readonly now?: () => Date;
  /**
   * What a result's `intent` holds after an event batch: the whole intent (the default: the CLI
   * and the simulator show it), or only the change's slice, which the reconciler function uses so
   * that an event costs what it changes (docs/architecture.md, "What a reconcile costs").
   */
  readonly reportIntent?: "whole" | "change";
  /**
   * How many events wait in the queue behind this batch. Given, a burst is coalesced: while events
   * wait, a peer set's growth is deferred within `coalesce`'s limits (lib/reconcile/coalesce.ts).
   */
  readonly eventsWaiting?: () => Promise<number>;
  readonly coalesce?: CoalesceLimits;
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
  private readonly coalescer: PeerSetCoalescer;

  constructor(private readonly deps: ReconcilerDeps) {
    this.coalescer = new PeerSetCoalescer(deps.coalesce ?? DEFAULT_COALESCE_LIMITS);
  }

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
    // Every cloud read is planned whole: what waited is written now.
    this.coalescer.clear();
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
    const compiler = await this.ready();
    const workloads = [...new Set(events.map((e) => e.workloadId))].sort(compareText);
    const reportsBefore = new Map(workloads.map((id) => [id, compiler.report(id)]));
    const heldBefore = workloads.flatMap((id) => compiler.heldKeys(id));
    // The whole intent before the change is only needed by clouds read whole (docs/architecture.md).
    const before = CLOUDS.some((cloud) => this.readsWhole(cloud)) ? compiler.snapshot() : undefined;
    const waiting = (await this.deps.eventsWaiting?.()) ?? 0;
    const now = this.now().getTime();
    const due = this.coalescer.startBatch(now, waiting);
    const reread = await this.reread(workloads);
    const delta = compiler.apply(reread.changes);
    const changed = compiler.changeSlices(delta, workloads, reportsBefore, heldBefore, due);
    const slices = this.deps.eventsWaiting ? this.coalescer.plan(changed, now, waiting, due) : changed;
    const { networks, touched, failures } = reread;
    for (const network of delta.networks) networks.add(network);
    // A deferred peer set written now is written in its network, whatever the batch touched.
    for (const key of due) networks.add(networkOfPeerSet(key));
    for (const network of networks) touched.add(cloudOfId(network));
    const clouds = CLOUDS.filter(
      (cloud) => (touched.has(cloud) || this.unsettled.has(cloud)) && failures[cloud]?.retryable !== true,
    );
    const { drivers, policy } = this.deps;
    const reads = await this.readClouds(clouds, failures, (cloud) => {
      // Every place of a cloud not settled; the touched places of one that cannot read a change alone.
      if (this.unsettled.has(cloud)) return drivers[cloud].discover(policy.labels);
      if (!drivers[cloud].readsChanges)
        return drivers[cloud].discover(policy.labels, {
          networks: [...networks].filter((network) => cloudOfId(network) === cloud),
          workloads: workloads.filter((id) => cloudOfId(id) === cloud),
        });
      return drivers[cloud].discoverChange(policy.labels, slices.scope, { after: slices.after, policy });
    });
    return this.planAndApply(reads, failures, options, before, slices);
  }

  /**
   * Whether an event batch reads this cloud's places whole: when its last plan was not fully
   * applied, or when its driver cannot read a change alone (docs/architecture.md, "What a
   * reconcile costs"); otherwise it reads only what the change names.
   */
  private readsWhole(cloud: Cloud): boolean {
    return this.unsettled.has(cloud) || !this.deps.drivers[cloud].readsChanges;
  }

  /**
   * The batch's workloads re-read, each turned into a change for the store and the compiler;
   * the networks they were and are in, the clouds they touched, and the clouds that failed.
   */
  private async reread(workloads: readonly WorkloadId[]) {
    const { drivers, store, policy } = this.deps;
    const failures: Partial<Record<Cloud, CloudFailure>> = {};
    const changes: WorkloadChange[] = [];
    const touched = new Set<Cloud>();
    const networks = new Set<NetworkId>();
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
    return { changes, touched, networks, failures };
  }

  /** Each cloud read concurrently; a cloud whose read fails is recorded and left out. */
  private async readClouds(
    clouds: readonly Cloud[],
    failures: Partial<Record<Cloud, CloudFailure>>,
    read: (cloud: Cloud) => Promise<CloudRead>,
  ): Promise<Reads> {
    const outcomes = await Promise.allSettled(clouds.map(read));
    const reads: Reads = {};
    for (const [position, cloud] of clouds.entries()) {
      const outcome = outcomes[position] as PromiseSettledResult<CloudRead>;
      if (outcome.status === "rejected") failures[cloud] = cloudFailure(outcome.reason);
      else reads[cloud] = outcome.value;
    }
    return reads;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** The compiler, rebuilt from the store after a cold start. */
  private async ready(): Promise<IncrementalCompiler> {
    this.compiler ??= IncrementalCompiler.build(this.deps.policy, await this.deps.store.snapshot());
    return this.compiler;
  }

  /**
   * Plans each cloud from its read, judges the plan by the cause of its removals against the plan
   * the intent `before` this reconcile's confirmed changes would get (the guard,
   * docs/trust-model.md), and applies all but the narrowing operations of held places. A cloud
   * that read only a change plans from the change's slices (lib/compile/slice.ts).
   */
  private async planAndApply(
    reads: Reads,
    failures: Partial<Record<Cloud, CloudFailure>>,
    options: ReconcileOptions,
    before: Intent | undefined,
    slices?: ChangeSlices,
  ): Promise<ReconcileResult> {
    const intents = new PlanningIntents(await this.ready(), before, slices);
    const { clouds, plan, baseline } = this.planClouds(reads, intents);
    const guard = checkBlastRadius(plan, baseline, this.deps.guard, options.override ?? false);
    const held = heldOperations(plan, guard);
    const applied: Partial<Record<Cloud, number>> = {};
    const refused: { [C in Cloud]?: RefusedOperation[] } = {};
    const intent = this.deps.reportIntent === "change" && slices ? slices.after : intents.whole();
    const result = { intent, plan, guard, applied, failures, refused };
    if (options.dryRun) return this.withDeferrals(this.unapplied(result, clouds), reads);
    if (options.approve && !options.approve(plan))
      return this.withDeferrals(this.unapplied({ ...result, declined: true }, clouds), reads);
    await Promise.all(
      clouds.map(async (cloud) => {
        const part = plan[cloud];
        if (!part || part.operations.length === 0) return;
        applied[cloud] = await this.applyCloud(cloud, part, held[cloud] ?? NONE_HELD, options, result);
      }),
    );
    this.settle(clouds, failures, held, () => intents.wholeBefore());
    return this.withDeferrals(result, reads);
  }

  /**
   * The peer sets whose growth still waits, once the deferrals of clouds planned whole or left
   * unsettled are forgotten: those clouds write every peer set as it is (lib/reconcile/coalesce.ts).
   */
  private withDeferrals(result: ReconcileResult, reads: Reads): ReconcileResult {
    for (const cloud of CLOUDS)
      if (this.unsettled.has(cloud) || (reads[cloud] !== undefined && reads[cloud].change === undefined))
        this.coalescer.forget(cloud);
    const waiting = this.coalescer.waiting;
    return waiting.length === 0 ? result : { ...result, coalesced: waiting.sort(compareText) };
  }

  /** Each read cloud's plan for the intent, and its baseline: the plan its removals are judged against. */
  private planClouds(reads: Reads, intents: PlanningIntents) {
    const { drivers, policy } = this.deps;
    const clouds: Cloud[] = [];
    const plan: { [C in Cloud]?: DriverPlan } = {};
    const baseline: { -readonly [C in Cloud]?: CrossCloudPlan[C] } = {};
    for (const cloud of CLOUDS) {
      const read = reads[cloud];
      if (read === undefined) continue;
      clouds.push(cloud);
      // Both plans from the same read: the baseline differs from the plan by its intent only.
      plan[cloud] = drivers[cloud].plan(read, intents.after(read), policy);
      // A cloud not yet settled keeps the baseline it was judged against when it was held.
      baseline[cloud] = drivers[cloud].plan(read, intents.before(read, this.pinned[cloud]), policy);
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
    let stopped = false;
    const record = (index: number, outcome: AuditRecord["outcome"], error?: unknown) =>
      this.record(cloud, part, index, outcome, error, result.refused);
    try {
      await this.deps.drivers[cloud].apply(
        part,
        held,
        (index) => {
          done++;
          record(index, "applied");
          options.onProgress?.({ cloud, done, total: part.operations.length });
        },
        (index, error) => record(index, "refused", error),
        // Each place that stops (places run concurrently) records the operation it stopped at.
        (index, error) => {
          stopped = true;
          record(index, "failed", error);
        },
      );
    } catch (error) {
      result.failures[cloud] = cloudFailure(error);
      if (!stopped) record(-1, "failed", error);
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
    const time = this.now().toISOString();
    const text = error === undefined ? {} : { error: describe(error) };
    this.deps.audit.record({ ...summary, time, outcome, operation: part.operations[index], ...text });
    if (outcome !== "refused") return;
    const list = refused[cloud] ?? [];
    list.push({ summary, error: describe(error) });
    refused[cloud] = list;
  }

  /**
   * After an apply: a cloud that failed (its read or its writes), or whose plan was held, stays
   * unsettled (read whole next time) with its baseline pinned, so that the removals this
   * reconcile's confirmed changes cause there stay explained; a cloud applied in full settles.
   */
  private settle(
    clouds: readonly Cloud[],
    failures: Partial<Record<Cloud, CloudFailure>>,
    held: Partial<Record<Cloud, unknown>>,
    before: () => Intent,
  ): void {
    for (const cloud of CLOUDS)
      if (failures[cloud] !== undefined) {
        this.unsettled.add(cloud);
        this.pinned[cloud] ??= before();
      }
    for (const cloud of clouds) {
      if (failures[cloud] === undefined && held[cloud] === undefined) {
        this.unsettled.delete(cloud);
        delete this.pinned[cloud];
      } else {
        this.unsettled.add(cloud);
        this.pinned[cloud] ??= before();
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

/**
 * The intents one reconcile plans from: a cloud read whole plans from the whole intent (built
 * once, when a cloud needs it), a cloud that read only a change from the change's slices.
 */
class PlanningIntents {
  private wholeAfter: Intent | undefined;

  constructor(
    private readonly compiler: IncrementalCompiler,
    private wholeBeforeChange: Intent | undefined,
    private readonly slices: ChangeSlices | undefined,
  ) {}

  /** The whole intent now. */
  whole(): Intent {
    this.wholeAfter ??= this.compiler.snapshot();
    return this.wholeAfter;
  }

  /**
   * The whole intent before the change; where the reconcile did not snapshot it (every cloud read
   * only the change), the intent now with the change's slices before it put back (slice.ts,
   * wholeBefore), built once, when a cloud that failed or was held pins it as its baseline.
   */
  wholeBefore(): Intent {
    this.wholeBeforeChange ??= this.slices ? wholeBefore(this.whole(), this.slices) : this.whole();
    return this.wholeBeforeChange;
  }

  after(read: CloudRead): Intent {
    return read.change !== undefined && this.slices ? this.slices.after : this.whole();
  }

  before(read: CloudRead, pinned: Intent | undefined): Intent {
    if (read.change !== undefined && this.slices) return this.slices.before;
    return pinned ?? this.wholeBefore();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
