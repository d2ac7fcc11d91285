import type { Intent } from "../compile/model.js";
import type { ChangeScope } from "../compile/slice.js";
import type { Cloud, Network, NetworkId, Workload, WorkloadId } from "../inventory/model.js";
import type { Policy } from "../policy/model.js";

/**
 * The CloudProvider port: what every cloud folder (lib/clouds/<cloud>/) gives the reconciler,
 * the CLI and the tests. The pure half (materialize, diff, evaluate, summarize) knows
 * no SDK; the I/O half (discover, apply) talks to the cloud only through the cloud's own narrow
 * `Connection` (its api.ts port), so that the SDK adapter (sdk/api.ts) and the simulator (sim/clouds/<cloud>/api.ts) are interchangeable.
 * Native events are not part of it: each cloud's events.ts is called by its own ingest function,
 * because delivery, authentication and handshakes differ per cloud.
 */
/** What a targeted read may plan a first read with: the change's slice after it, and the policy. */
export interface ChangePlanning {
  readonly after: Intent;
  readonly policy: Policy;
}

export interface CloudProvider<
  State,
  Desired extends { readonly findings: readonly CloudFinding[] },
  Operation,
  Connection,
> {
  readonly cloud: Cloud;

  /** Every labelled workload (and any the cloud still holds segsync objects for), and the owned objects: one full read. */
  discover(connection: Connection, labels: Policy["labels"]): Promise<Discovery<State>>;
  /**
   * Only what a change names, in the places that hold it (docs/architecture.md, "What a reconcile
   * costs"): the workloads re-read, the owned objects of the change's destinations and peer sets
   * (read by name, id or ownership filter), the NICs those objects attach to or leave, and the
   * quota counters they need. `materialize` and `diff` on this state, with the change's slice of
   * the intent, plan exactly those objects. A cloud without it is read whole per place. `planning`
   * is the change's slice of the intent after it and the policy: what a provider whose reads depend
   * on the plan (which NICs a changed group set moves) may materialize a first read with.
   */
  discoverChange?(
    connection: Connection,
    labels: Policy["labels"],
    change: ChangeScope,
    planning?: ChangePlanning,
  ): Promise<Discovery<State>>;
  /** One workload, re-read for an event; undefined when it is gone. */
  discoverWorkload(
    connection: Connection,
    workload: WorkloadId,
    labels: Policy["labels"],
  ): Promise<Workload | undefined>;
  /**
   * The connection narrowed to the places (AWS account and region, Azure subscription, GCP
   * project) that hold these networks or workloads (a GCP instance can sit in another project than
   * its Shared VPC network): an event batch reads and plans only the places it touched. Ids of
   * other clouds, and of places the connection does not manage, are left out.
   */
  narrow(
    connection: Connection,
    networks: readonly NetworkId[],
    workloads?: readonly WorkloadId[],
  ): Connection;
  /**
   * The native objects that enforce the intent, in the places the state holds and only there: a
   * narrowed read (see narrow) plans its own places and leaves every other place as it is.
   */
  materialize(intent: Intent, state: State, policy: Policy): Desired;
  diff(desired: Desired, state: State): Operation[];
  /**
   * Runs a plan in its order. With onRefused, an operation the cloud refuses for one object
   * (gone, invalid, over a quota, still in use, not permitted) is reported there with the
   * operations that need it, and the plan goes on; any other failure stops it and is rethrown
   * (the next plan converges). Without onRefused, the first failure stops it.
   */
  apply(
    operations: readonly Operation[],
    connection: Connection,
    onApplied: (operation: Operation) => void,
    onRefused?: (operation: Operation, error: unknown) => void,
  ): Promise<void>;
  evaluate(state: State): Reachability;
  /** The operation as a plan shows it; `state` names the objects its rules refer to. */
  summarize(operation: Operation, state: State): OperationSummary;
  /** How many owned rules the operation removes or narrows (the blast-radius guard counts them). */
  removedRules(operation: Operation, state: State): number;
  /**
   * How many rules segsync owns in this state, per place (an AWS account and region, an Azure
   * subscription, a GCP project): the guard judges each place on its own (docs/trust-model.md).
   */
  ownedRules(state: State): Readonly<Record<string, number>>;
  /** The place an operation writes in, as ownedRules names it. */
  placeOf(operation: Operation): string;
  /**
   * Whether these operations' places can be written concurrently, each place in its own order:
   * true when no operation in one place needs one in another to come first. Absent: never.
   */
  placesIndependent?(operations: readonly Operation[]): boolean;
  /**
   * What an event names when it cannot name a workload, turned into the workload to re-read
   * (or why there are none): a cloud whose events always name their workload leaves it out.
   * Throws when the cloud cannot be asked (the reconciler retries when retrying can help).
   */
  resolveHint?(connection: Connection, hint: CloudHint): Promise<HintResolution>;
  /**
   * What a narrowing does to connections the cloud already tracks (docs/connection-tracking.md):
   * said as a warning with every plan that narrows.
   */
  readonly trackedConnections: string;
}

/** An event's hint that names no workload of a configured place. */
export type CloudHint =
  /** A native resource, not a workload (Event Grid names an Azure NIC, not its VM): its id. */
  | { readonly kind: "resource"; readonly id: string }
  /** A workload in a place the configuration does not list (a GCP Shared VPC service project). */
  | { readonly kind: "unlisted-place"; readonly workload: WorkloadId; readonly place: string };

export type HintResolution =
  /** The workload to re-read (a NIC belongs to one VM). */
  | { readonly kind: "workload"; readonly workload: WorkloadId }
  /** Nothing to re-read: the resource belongs to no workload, or its place is not managed. */
  | { readonly kind: "ignored"; readonly why: string };

export interface Discovery<State> {
  readonly workloads: readonly Workload[];
  readonly networks: readonly Network[];
  readonly state: State;
  /** Objects the read left out, each a finding about that object (the rest of the place is read). */
  readonly findings: readonly CloudFinding[];
}

export interface CloudFinding {
  readonly code: string;
  readonly severity: "warning" | "error";
  readonly subject: string;
  readonly message: string;
}

export type ProbeProtocol = "tcp" | "udp" | "icmp";

export interface ReachabilityProbe {
  /** The destination workload and the network of the NIC the traffic arrives on. */
  readonly workload: WorkloadId;
  readonly network: NetworkId;
  /** The address the destination network sees the traffic from. */
  readonly sourceAddress: string;
  readonly protocol: ProbeProtocol;
  readonly port?: number;
}

/** A flow as its source's cloud sees it leave: the source workload, the NIC's network, where it goes. */
export interface EgressProbe {
  readonly workload: WorkloadId;
  readonly network: NetworkId;
  /** The address the source sends to, as its network reaches the destination (docs/policy.md, "Addresses"). */
  readonly destinationAddress: string;
  readonly protocol: ProbeProtocol;
  readonly port?: number;
}

/** The native rule that lets a probe through: its object (SG, NSG, firewall) and the rule. */
export interface NativeMatch {
  readonly object: string;
  readonly rule: string;
}

export interface Reachability {
  /** undefined: the cloud denies the probe. */
  explain(probe: ReachabilityProbe): NativeMatch | undefined;
  /** The native rule (or platform service) that lets the source send the probe; undefined: the cloud blocks it. */
  explainEgress(probe: EgressProbe): NativeMatch | undefined;
}

/** An operation as people and audit records read it. */
export interface OperationSummary {
  readonly cloud: Cloud;
  readonly action: "create" | "update" | "delete";
  readonly objectType: string;
  readonly object: string;
  readonly detail: string;
  /**
   * The rules or entries the write adds (`+ tcp/5432 from segsync-…`), removes (`- …`) or
   * changes (`~ …`), one per line, in the order the cloud holds them (docs/reviewing-plans.md).
   */
  readonly changes?: readonly string[];
  /** Writes to the object that this operation removes or narrows (counted by the blast-radius guard). */
  readonly narrows: boolean;
}
