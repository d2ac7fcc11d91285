import { DEFAULT_AWS_QUOTAS } from "../lib/clouds/aws/config.js";
import { parseAwsEvent } from "../lib/clouds/aws/ingest/events.js";
import { DEFAULT_AZURE_QUOTAS } from "../lib/clouds/azure/config.js";
import { workloadOfNetworkInterface } from "../lib/clouds/azure/discover.js";
import { parseAzureEvents } from "../lib/clouds/azure/ingest/events.js";
import { DEFAULT_GCP_PRIORITIES, DEFAULT_GCP_QUOTAS } from "../lib/clouds/gcp/config.js";
import { parseGcpPush } from "../lib/clouds/gcp/ingest/events.js";
import type { Reachability } from "../lib/clouds/provider.js";
import { createProviders, type Providers } from "../lib/clouds/registry.js";
import { SIMULATOR_RECORD_KEY } from "../lib/clouds/shared/seals.js";
import type { WorkloadEvent } from "../lib/ingest/workload-event.js";
import { MemoryInventoryStore } from "../lib/inventory/memory-store.js";
import type { Cloud } from "../lib/inventory/model.js";
import type { Policy } from "../lib/policy/model.js";
import { type AuditSink, MemoryAuditSink } from "../lib/reconcile/audit.js";
import { cloudDrivers } from "../lib/reconcile/cloud-drivers.js";
import { DEFAULT_GUARD_LIMITS, type GuardLimits } from "../lib/reconcile/guard.js";
import { type ReconcileOptions, type ReconcileResult, Reconciler } from "../lib/reconcile/reconciler.js";
import {
  AtLeastOnceDelivery,
  type Delivery,
  type DeliveryOptions,
  FIFO_DEDUP_WINDOW_MS,
} from "./delivery.js";
import type { Estate } from "./estate-schema.js";
import type { NativeEvent } from "./events.js";
import { applyStep, isCloudStep, type Scenario, type Step } from "./scenario.js";
import { SimulatedClouds } from "./simulated-clouds.js";

/** The resource group the simulated Azure subscriptions keep segsync's NSGs and ASGs in. */
export const SIMULATED_SEGSYNC_RESOURCE_GROUP = "rg-segsync";

export interface SimulationOptions {
  readonly guard?: GuardLimits;
  /** Where audit records go besides the simulation's own memory sink. */
  readonly audit?: AuditSink;
  /** At-least-once delivery (duplicates, reordering) between the ingest path and the queue; default: in order, once. */
  readonly delivery?: DeliveryOptions;
}

export interface StepOutcome {
  readonly step: Step;
  /** The native events the step made the clouds emit. */
  readonly events: readonly NativeEvent[];
  /** Those events as the ingest path parsed them, queued for the next reconcile. */
  readonly parsed: readonly WorkloadEvent[];
  /** For reconcile and fullSync steps. */
  readonly result?: ReconcileResult;
  /** For reconcile steps: the events the reconcile drained, in the order they were delivered. */
  readonly drained?: readonly WorkloadEvent[];
}

/**
 * The simulated three-cloud estate wired to the production path: native events go through the
 * same parsers as the ingest functions, queue up like the SQS FIFO queue, and are drained by the
 * same reconciler, which reads and writes the simulated clouds through the same ports.
 */
export class Simulation {
  readonly audit = new MemoryAuditSink();
  readonly providers: Providers;
  readonly reconciler: Reconciler;
  /** Set when the simulation has an at-least-once delivery model. */
  readonly delivery: AtLeastOnceDelivery | undefined;
  private readonly queue: WorkloadEvent[] = [];
  /** Event id → when the queue accepted it: its deduplication, like the FIFO queue's, lasts FIFO_DEDUP_WINDOW_MS. */
  private readonly seen = new Map<string, number>();

  private constructor(
    readonly clouds: SimulatedClouds,
    readonly policy: Policy,
    options: SimulationOptions,
  ) {
    const connections = clouds.connections();
    this.delivery = options.delivery === undefined ? undefined : new AtLeastOnceDelivery(options.delivery);
    this.providers = createProviders({
      sealer: SIMULATOR_RECORD_KEY,
      aws: { quotas: DEFAULT_AWS_QUOTAS },
      azure: {
        quotas: DEFAULT_AZURE_QUOTAS,
        resourceGroups: Object.fromEntries(
          connections.azure.subscriptions.map((s) => [
            s,
            clouds.segsyncResourceGroups[s.toLowerCase()] ?? SIMULATED_SEGSYNC_RESOURCE_GROUP,
          ]),
        ),
      },
      gcp: { quotas: DEFAULT_GCP_QUOTAS, priorities: DEFAULT_GCP_PRIORITIES },
    });
    const extra = options.audit;
    const audit: AuditSink = {
      record: (record) => {
        this.audit.record(record);
        extra?.record(record);
      },
    };
    this.reconciler = new Reconciler({
      drivers: cloudDrivers(this.providers, connections),
      store: new MemoryInventoryStore(),
      policy,
      audit,
      guard: options.guard ?? DEFAULT_GUARD_LIMITS,
      now: () => clouds.clock.now(),
    });
  }

  static start(policy: Policy, estate: Estate, options: SimulationOptions = {}): Simulation {
    return new Simulation(SimulatedClouds.fromEstate(estate), policy, options);
  }

  /** The same simulated clouds under another policy (a policy change; restore), with a fresh reconciler. */
  withPolicy(policy: Policy, options: SimulationOptions = {}): Simulation {
    return new Simulation(this.clouds, policy, options);
  }

  /** Events queued since the last reconcile (with a delivery model, none: they are in flight until one). */
  get pending(): readonly WorkloadEvent[] {
    return this.queue;
  }

  async fullSync(options: ReconcileOptions = {}): Promise<ReconcileResult> {
    return this.reconciler.fullSync(options);
  }

  /** Drains the queue: one reconcile of every event delivered since the last one. */
  async reconcile(options: ReconcileOptions = {}): Promise<ReconcileResult> {
    return (await this.drain(options)).result;
  }

  private async drain(options: ReconcileOptions) {
    if (this.delivery) this.enqueue(this.delivery.deliver());
    const batch = this.queue.splice(0, this.queue.length);
    return { batch, result: await this.reconciler.handleEvents(batch, options) };
  }

  async step(step: Step, options: ReconcileOptions = {}): Promise<StepOutcome> {
    if ("reconcile" in step) {
      const { batch, result } = await this.drain(options);
      return { step, events: [], parsed: [], result, drained: batch };
    }
    if ("fullSync" in step) {
      this.queue.length = 0;
      return { step, events: [], parsed: [], result: await this.fullSync(options) };
    }
    if (!isCloudStep(step)) throw new TypeError("unknown scenario step");
    const events = applyStep(this.clouds, step);
    const parsed: WorkloadEvent[] = [];
    for (const event of events) parsed.push(...(await this.ingest(event)));
    return { step, events, parsed };
  }

  /** The initial full sync, every step, then last drains until nothing is queued or still in flight. */
  async run(scenario: Scenario, options: ReconcileOptions = {}): Promise<StepOutcome[]> {
    const outcomes: StepOutcome[] = [];
    outcomes.push({ step: { fullSync: {} }, events: [], parsed: [], result: await this.fullSync(options) });
    for (const step of scenario.steps) outcomes.push(await this.step(step, options));
    while (this.queue.length > 0 || (this.delivery?.inFlight ?? 0) > 0)
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

  /** A native event through the ingest parsers into the queue, or to the delivery model when there is one. */
  private async ingest(event: NativeEvent): Promise<WorkloadEvent[]> {
    const parsed: WorkloadEvent[] = [];
    if (event.cloud === "aws") parsed.push(parseAwsEvent(event.body));
    else if (event.cloud === "gcp") {
      const result = parseGcpPush(event.body);
      if (result.kind === "event") parsed.push(result.event);
    } else {
      const result = parseAzureEvents(event.body);
      if (result.kind === "events") {
        parsed.push(...result.events);
        for (const nic of result.nicChanges) {
          const api = this.clouds.connections().azure.apiFor(nic.subscription);
          const workloadId = await workloadOfNetworkInterface(api, nic.resourceGroup, nic.nicName);
          if (workloadId !== undefined) {
            parsed.push({
              cloud: "azure",
              eventId: nic.eventId,
              time: nic.time,
              workloadId,
              change: { kind: "resource", action: "updated" },
            });
          }
        }
      }
    }
    const now = this.clouds.clock.now().getTime();
    if (this.delivery) {
      this.delivery.send(parsed, now);
      return parsed;
    }
    return this.enqueue(parsed.map((event) => ({ event, arrivedAt: now })));
  }

  /** Into the queue, deduplicated by event id within the FIFO window; the events accepted. */
  private enqueue(deliveries: readonly Pick<Delivery, "event" | "arrivedAt">[]): WorkloadEvent[] {
    const fresh: WorkloadEvent[] = [];
    for (const { event, arrivedAt } of deliveries) {
      const first = this.seen.get(event.eventId);
      if (first !== undefined && arrivedAt - first < FIFO_DEDUP_WINDOW_MS) continue;
      this.seen.set(event.eventId, arrivedAt);
      fresh.push(event);
    }
    this.queue.push(...fresh);
    return fresh;
  }
}
