import { SIMULATOR_RECORD_KEY } from "../lib/clouds/common/seals.js";
import type { Reachability } from "../lib/clouds/provider.js";
import { createProviders, type Providers } from "../lib/clouds/registry.js";
import { NetworkTopology } from "../lib/compile/address-view.js";
import { ConfiguredPlaces } from "../lib/ingest/places.js";
import { type QueueMessage, SCHEDULED_FULL_SYNC } from "../lib/ingest/queue-message.js";
import type { WorkloadEvent } from "../lib/ingest/workload-event.js";
import { MemoryInventoryStore } from "../lib/inventory/memory-store.js";
import { CLOUDS, type Cloud } from "../lib/inventory/model.js";
import type { Policy } from "../lib/policy/model.js";
import { type AuditSink, MemoryAuditSink } from "../lib/reconcile/audit.js";
import {
  type BatchOutcome,
  type BatchReconciler,
  fifoFailures,
  reconcileBatch,
} from "../lib/reconcile/batch.js";
import { cloudDrivers } from "../lib/reconcile/cloud-drivers.js";
import type { CoalesceLimits } from "../lib/reconcile/coalesce.js";
import type { CloudDriver } from "../lib/reconcile/driver.js";
import { DEFAULT_GUARD_LIMITS, type GuardLimits } from "../lib/reconcile/guard.js";
import { type ReconcileOptions, type ReconcileResult, Reconciler } from "../lib/reconcile/reconciler.js";
import { AtLeastOnceDelivery, type DeliveryOptions } from "./delivery.js";
import type { Estate } from "./estate-schema.js";
import type { NativeEvent } from "./events.js";
import { queueMessagesOf, workloadEventsOf } from "./ingest.js";
import type { PortCalls } from "./port-calls.js";
import { SimulatedQueue, type WaitingMessage } from "./queue.js";
import { applyStep, isCloudStep, type Scenario, STEP_INTERVAL_MS, type Step } from "./scenario.js";
import { SimulatedClouds } from "./simulated-clouds.js";
import { sendTraffic, type TrafficOutcome } from "./traffic/send.js";

export interface SimulationOptions {
  readonly guard?: GuardLimits;
  /** Where audit records go besides the simulation's own memory sink. */
  readonly audit?: AuditSink;
  /** At-least-once delivery (duplicates, reordering) between the ingest path and the queue; default: in order, once. */
  readonly delivery?: DeliveryOptions;
  /**
   * false: every cloud reads the places an event batch touches whole, as a cloud that cannot read
   * a change alone does (the oracle that targeted reads are tested against). Default: each cloud
   * that can reads only the change (docs/architecture.md, "What a reconcile costs").
   */
  readonly readChanges?: boolean;
  /** What a reconcile's result's `intent` holds after an event batch (lib/reconcile/reconciler.ts); default: the whole intent. */
  readonly reportIntent?: "whole" | "change";
  /**
   * How a burst is coalesced (lib/reconcile/coalesce.ts); false: never. The reconciler sees the
   * messages still queued behind its batch, so it defers only where `reconcileNext` leaves some.
   */
  readonly coalesce?: CoalesceLimits | false;
}

export interface StepOutcome {
  readonly step: Step;
  /** The native events the step made the clouds emit. */
  readonly events: readonly NativeEvent[];
  /**
   * The queue messages the ingest path made of those events, sent to the queue for the next
   * reconcile (with a delivery model, to the model; without, those the queue did not deduplicate).
   */
  readonly queued: readonly QueueMessage[];
  /** The workload events of those messages. */
  readonly parsed: readonly WorkloadEvent[];
  /** For reconcile and fullSync steps. */
  readonly result?: ReconcileResult;
  /** For reconcile steps: the workload events of the batch the reconcile received, in its order. */
  readonly drained?: readonly WorkloadEvent[];
  /** For reconcile and fullSync steps: the batch through the reconciler function's path. */
  readonly batch?: BatchOutcome;
  /** The messages of the batch reported failed, back in the queue for the next reconcile (FIFO). */
  readonly returned?: readonly QueueMessage[];
  /** For reconcile and fullSync steps: the port calls each cloud received during the reconcile. */
  readonly calls?: PortCalls;
  /** For reconcile and fullSync steps: the reconcile's wall time, in milliseconds. */
  readonly wallMs?: number;
  /** For traffic steps: each flow's verdict, and what the clouds' flow logs recorded (sim/traffic/send.ts). */
  readonly traffic?: TrafficOutcome;
}

/**
 * The simulated three-cloud estate wired to the production path: native events go through the
 * same parsers as the ingest functions into queue messages, queue up like the SQS FIFO queue
 * (sim/queue.ts), and each reconcile is one batch through `reconcileBatch`, as the reconciler
 * function runs it (lambdas/reconciler.ts): the same message resolution (places, hints), the same
 * reconciler reading and writing the simulated clouds through the same ports, and the same FIFO
 * failure rule (a failed message and every later one of the batch are received again).
 */
export class Simulation {
  readonly audit = new MemoryAuditSink();
  readonly providers: Providers;
  readonly reconciler: Reconciler;
  /** Set when the simulation has an at-least-once delivery model. */
  readonly delivery: AtLeastOnceDelivery | undefined;
  /** Each cloud's driver: the reconciler's, and the hint resolvers of the batches. */
  readonly drivers: Readonly<Record<Cloud, CloudDriver>>;
  private readonly queue = new SimulatedQueue();

  private constructor(
    readonly clouds: SimulatedClouds,
    readonly policy: Policy,
    options: SimulationOptions,
  ) {
    const connections = clouds.connections();
    this.delivery = options.delivery === undefined ? undefined : new AtLeastOnceDelivery(options.delivery);
    this.providers = createProviders({ sealer: SIMULATOR_RECORD_KEY, ...clouds.providerSettings() });
    const extra = options.audit;
    const audit: AuditSink = {
      record: (record) => {
        this.audit.record(record);
        extra?.record(record);
      },
    };
    const drivers = cloudDrivers(this.providers, connections);
    this.drivers = options.readChanges === false ? readingWhole(drivers) : drivers;
    this.reconciler = new Reconciler({
      drivers: this.drivers,
      store: new MemoryInventoryStore(),
      policy,
      audit,
      guard: options.guard ?? DEFAULT_GUARD_LIMITS,
      now: () => clouds.clock.now(),
      ...(options.reportIntent === undefined ? {} : { reportIntent: options.reportIntent }),
      ...(options.coalesce === false
        ? {}
        : { eventsWaiting: async () => this.queue.waiting.length, coalesce: options.coalesce }),
    });
  }

  static start(policy: Policy, estate: Estate, options: SimulationOptions = {}): Simulation {
    return new Simulation(SimulatedClouds.fromEstate(estate), policy, options);
  }

  /** The same simulated clouds under another policy (a policy change; restore), with a fresh reconciler. */
  withPolicy(policy: Policy, options: SimulationOptions = {}): Simulation {
    return new Simulation(this.clouds, policy, options);
  }

  /** Messages waiting in the queue (with a delivery model, only those returned failed: the rest are in flight until a reconcile). */
  get pending(): readonly QueueMessage[] {
    return this.queue.waiting;
  }

  /** The messages the queue gave up on after MAX_RECEIVE_COUNT receives (its dead-letter queue). */
  get deadLetters(): readonly QueueMessage[] {
    return this.queue.deadLetters;
  }

  /** A full sync as the schedule asks for one: a full-sync message, alone in its batch. */
  async fullSync(options: ReconcileOptions = {}): Promise<ReconcileResult> {
    return (await this.scheduledFullSync(options)).result;
  }

  private scheduledFullSync(options: ReconcileOptions) {
    return this.runBatch([{ id: "full-sync", message: SCHEDULED_FULL_SYNC, receives: 1 }], options);
  }

  /** Drains the queue: one reconcile of every message delivered since the last one. */
  async reconcile(options: ReconcileOptions = {}): Promise<ReconcileResult> {
    return (await this.drain(options)).result;
  }

  /**
   * One batch of at most `maxMessages` of the messages delivered by now, as the reconciler
   * function's event source gives them (its batch size); the rest wait behind it.
   */
  async reconcileNext(maxMessages: number, options: ReconcileOptions = {}): Promise<ReconcileResult> {
    return (await this.drain(options, maxMessages)).result;
  }

  /** Every message delivered by now (or the first `maxMessages`), as one batch through the reconciler function's path. */
  private async drain(options: ReconcileOptions, maxMessages?: number) {
    if (this.delivery) {
      for (const { message, arrivedAt } of this.delivery.deliver()) this.queue.send(message, arrivedAt);
    }
    return this.runBatch(this.queue.receive(maxMessages), options);
  }

  /**
   * One batch through `reconcileBatch`; the messages it reports failed (FIFO: the first failed
   * and every later one) wait in the queue again. A batch with nothing to re-read still re-reads
   * the clouds an earlier reconcile left unsettled, so that every reconcile step has a result (the
   * reconciler function is not invoked for an empty queue; there, the next full sync does it).
   * A reconcile that threw rethrows, once its messages are back in the queue.
   */
  private async runBatch(batch: readonly WaitingMessage[], options: ReconcileOptions) {
    const reconciler: BatchReconciler = {
      fullSync: () => this.reconciler.fullSync(options),
      handleEvents: (events) => this.reconciler.handleEvents(events, options),
    };
    // Calls made before this reconcile (a reachability read, …) are not its own.
    this.clouds.takePortCalls();
    const start = performance.now();
    const places = ConfiguredPlaces.ofConnections(this.clouds.connections());
    const outcome = await reconcileBatch(batch, { reconciler, places, hints: this.drivers });
    const failed = fifoFailures(
      batch.map((waiting) => waiting.id),
      outcome.failed,
    );
    const returned = this.queue.returnFailed(batch, failed).map((waiting) => waiting.message);
    const { run } = outcome;
    if (run.mode === "error") throw run.cause;
    const result = run.mode === "idle" ? await this.reconciler.handleEvents([], options) : run.result;
    const wallMs = performance.now() - start;
    const calls = this.clouds.takePortCalls();
    const drained = workloadEventsOf(batch.map((waiting) => waiting.message));
    return { result, batch: outcome, returned, drained, calls, wallMs };
  }

  async step(step: Step, options: ReconcileOptions = {}): Promise<StepOutcome> {
    if ("reconcile" in step) {
      const { result, batch, returned, drained, calls, wallMs } = await this.drain(options);
      return { step, events: [], queued: [], parsed: [], result, drained, batch, returned, calls, wallMs };
    }
    if ("fullSync" in step) {
      // The step's full sync joins what waits (one full sync covers the whole batch), each one a
      // sync of its own: two steps minutes apart are not one message to the queue.
      this.queue.send(SCHEDULED_FULL_SYNC, this.clouds.clock.now().getTime(), true);
      const { result, batch, returned, calls, wallMs } = await this.runBatch(this.queue.receive(), options);
      return { step, events: [], queued: [], parsed: [], result, batch, returned, calls, wallMs };
    }
    if ("traffic" in step) {
      // A step of its own minute, like the steps that change the clouds; it changes nothing.
      this.clouds.clock.advance(STEP_INTERVAL_MS);
      const traffic = sendTraffic(this.clouds, new NetworkTopology(this.policy.networks), step.traffic);
      return { step, events: [], queued: [], parsed: [], traffic };
    }
    if (!isCloudStep(step)) throw new TypeError("unknown scenario step");
    const events = applyStep(this.clouds, step);
    const queued = events.flatMap((event) => this.ingest(event));
    return { step, events, queued, parsed: workloadEventsOf(queued) };
  }

  /** The initial full sync, every step, then last drains until nothing is queued or still in flight. */
  async run(scenario: Scenario, options: ReconcileOptions = {}): Promise<StepOutcome[]> {
    const outcomes: StepOutcome[] = [];
    const { result, calls, wallMs } = await this.scheduledFullSync(options);
    outcomes.push({ step: { fullSync: {} }, events: [], queued: [], parsed: [], result, calls, wallMs });
    for (const step of scenario.steps) outcomes.push(await this.step(step, options));
    while (this.queue.waiting.length > 0 || (this.delivery?.inFlight ?? 0) > 0)
      outcomes.push(await this.step({ reconcile: {} }, options));
    return outcomes;
  }

  /** Each cloud's effective reachability now, read through the providers as discovery reads it. */
  async reachability(): Promise<Record<Cloud, Reachability>> {
    const connections = this.clouds.connections();
    const labels = this.policy.labels;
    const [aws, azure, gcp] = await Promise.all([
      this.providers.aws.discover(connections.aws, labels),
      this.providers.azure.discover(connections.azure, labels),
      this.providers.gcp.discover(connections.gcp, labels),
    ]);
    return {
      aws: this.providers.aws.evaluate(aws.state),
      azure: this.providers.azure.evaluate(azure.state),
      gcp: this.providers.gcp.evaluate(gcp.state),
    };
  }

  /**
   * A native event through the ingest path: its queue messages to the delivery model when there
   * is one, else straight to the queue; the messages sent (without a model, those accepted).
   */
  private ingest(event: NativeEvent): QueueMessage[] {
    const messages = queueMessagesOf(event);
    const now = this.clouds.clock.now().getTime();
    if (this.delivery) {
      this.delivery.send(messages, now);
      return messages;
    }
    return messages.filter((message) => this.queue.send(message, now));
  }
}

/** The drivers, each reading the places a batch touches whole even where it could read the change alone. */
function readingWhole(drivers: Readonly<Record<Cloud, CloudDriver>>): Record<Cloud, CloudDriver> {
  return Object.fromEntries(
    CLOUDS.map((cloud) => [cloud, { ...drivers[cloud], readsChanges: false }]),
  ) as Record<Cloud, CloudDriver>;
}
