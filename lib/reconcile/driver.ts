import type {
  ChangePlanning,
  CloudHint,
  CloudProvider,
  Discovery,
  HintResolution,
} from "../clouds/provider.js";
import type { Intent } from "../compile/model.js";
import type { ChangeScope } from "../compile/slice.js";
import type { Cloud, Network, NetworkId, Workload, WorkloadId } from "../inventory/model.js";
import type { Policy } from "../policy/model.js";
import { ReconcileError } from "./errors.js";
import type { CloudPlan } from "./plan.js";

type Finding = CloudPlan["findings"][number];

/**
 * What a read left for planning, sealed: the orchestration carries it from `discover` to `plan`
 * but cannot look into it, and only the driver that read it can open it.
 */
export class ReadState {
  readonly #madeBy: symbol;
  readonly #value: unknown;

  constructor(madeBy: symbol, value: unknown) {
    this.#madeBy = madeBy;
    this.#value = value;
  }

  /** The value, for the driver that read it; undefined for any other. */
  openedBy(driver: symbol): unknown {
    return driver === this.#madeBy ? this.#value : undefined;
  }
}

/** One cloud's read: what the store and the compiler need, and the sealed state `plan` needs. */
export interface CloudRead {
  readonly workloads: readonly Workload[];
  readonly networks: readonly Network[];
  readonly findings: readonly Finding[];
  readonly state: ReadState;
  /**
   * Present when the read covers only a change (discoverChange): its plan must be made from the
   * change's slices of the intent, which name exactly what it read.
   */
  readonly change?: ChangeScope;
}

/** A plan as a driver made it: `madeBy` names the driver, the only one that applies it. */
export interface DriverPlan extends CloudPlan {
  readonly madeBy: symbol;
}

/**
 * One cloud's provider bound to its connection. It hides the cloud's own types (state, desired,
 * operations) from the orchestration, which only carries values between its steps: the read from
 * `discover` to `plan`, and the plan from `plan` to `apply` of the same driver. It keeps nothing
 * between calls.
 */
export interface CloudDriver {
  readonly cloud: Cloud;
  /**
   * A read of every place, or of the places that hold the scope's networks and workloads
   * (provider.narrow); a plan from a narrowed read plans those places only.
   */
  discover(
    labels: Policy["labels"],
    scope?: { readonly networks: readonly NetworkId[]; readonly workloads: readonly WorkloadId[] },
  ): Promise<CloudRead>;
  /** Whether the cloud can read a change alone (provider.discoverChange). */
  readonly readsChanges: boolean;
  /**
   * A read of only what a change names (docs/architecture.md, "What a reconcile costs"); a plan
   * from it must be made from the change's slices of the intent. Only where `readsChanges`.
   */
  discoverChange(
    labels: Policy["labels"],
    change: ChangeScope,
    planning?: ChangePlanning,
  ): Promise<CloudRead>;
  discoverWorkload(workload: WorkloadId, labels: Policy["labels"]): Promise<Workload | undefined>;
  /** The workloads an event's hint names (provider.resolveHint); ignored when the cloud resolves none. */
  resolveHint(hint: CloudHint): Promise<HintResolution>;
  /** Plans against a read this driver made; refuses any other. */
  plan(read: CloudRead, intent: Intent, policy: Policy): DriverPlan;
  /**
   * Applies a plan this driver made (it refuses any other), but for the operations `held` names
   * (by index: the guard holds them back); reports each operation as it is applied, and each one
   * the cloud refuses for one object (the plan goes on past those). Places (an AWS account and
   * region, a subscription, a project) have API quotas of their own: where the provider says a
   * plan's places are independent, each place's operations run in order and the places run
   * concurrently. A failure stops its place only; `onStopped` names the operation it stopped at,
   * and the first failure is rethrown once every place has finished.
   */
  apply(
    plan: DriverPlan,
    held: ReadonlySet<number>,
    onApplied: (index: number) => void,
    onRefused?: (index: number, error: unknown) => void,
    onStopped?: (index: number, error: unknown) => void,
  ): Promise<void>;
}

/** A plan that narrows says what happens to the connections already open. */
function trackedConnections(
  provider: { readonly cloud: Cloud; readonly trackedConnections: string },
  summaries: readonly { readonly narrows: boolean }[],
): CloudPlan["findings"] {
  if (!summaries.some((summary) => summary.narrows)) return [];
  return [
    {
      code: "tracked-connections",
      severity: "warning",
      subject: provider.cloud,
      message: provider.trackedConnections,
    },
  ];
}

/** What a driver seals into its read: the provider's state and what the read found. */
interface Sealed<State> {
  readonly state: State;
  readonly findings: readonly Finding[];
}

/** What every provider's desired state has: the findings of materializing it. */
type DesiredOf = { readonly findings: readonly Finding[] };

export function cloudDriver<State, Desired extends DesiredOf, Operation, Connection>(
  provider: CloudProvider<State, Desired, Operation, Connection>,
  connection: Connection,
): CloudDriver {
  const identity = Symbol(`${provider.cloud} driver`);
  const opened = (read: CloudRead): Sealed<State> => {
    const sealed = read.state.openedBy(identity);
    if (sealed === undefined)
      throw new ReconcileError(`${provider.cloud}: asked to plan from a read it did not make`);
    // Only this driver seals with its identity, and it seals only a Sealed<State>.
    return sealed as Sealed<State>;
  };
  return {
    cloud: provider.cloud,
    discover: (labels, scope) => readSealed(provider, connection, identity, labels, scope),
    readsChanges: provider.discoverChange !== undefined,
    async discoverChange(labels, change, planning) {
      if (provider.discoverChange === undefined)
        throw new ReconcileError(`${provider.cloud}: cannot read a change alone`);
      const discovery = await provider.discoverChange(connection, labels, change, planning);
      return { ...sealedRead(discovery, identity), change };
    },
    discoverWorkload: (workload, labels) => provider.discoverWorkload(connection, workload, labels),
    resolveHint: async (hint) =>
      provider.resolveHint === undefined
        ? { kind: "ignored", why: `${provider.cloud} resolves no ${hint.kind} hints` }
        : provider.resolveHint(connection, hint),
    plan: (read, intent, policy) => ({
      ...planSealed(provider, opened(read), intent, policy),
      madeBy: identity,
    }),
    async apply(plan, held, onApplied, onRefused, onStopped) {
      if (plan.madeBy !== identity)
        throw new ReconcileError(`${provider.cloud}: asked to apply a plan it did not make`);
      // Made by this driver's plan: its operations are this provider's.
      const operations = plan.operations as readonly Operation[];
      const reports = { onApplied, onRefused, onStopped };
      await applyByPlace(provider, connection, operations, held, reports);
    },
  };
}

/** A read of every place or of the scope's, its state sealed with the driver's identity. */
async function readSealed<State, Desired extends DesiredOf, Operation, Connection>(
  provider: CloudProvider<State, Desired, Operation, Connection>,
  connection: Connection,
  identity: symbol,
  labels: Policy["labels"],
  scope: Parameters<CloudDriver["discover"]>[1],
): Promise<CloudRead> {
  const read =
    scope === undefined ? connection : provider.narrow(connection, scope.networks, scope.workloads);
  return sealedRead(await provider.discover(read, labels), identity);
}

/** A discovery as the orchestration carries it: its state sealed with the driver's identity. */
function sealedRead<State>(discovery: Discovery<State>, identity: symbol): CloudRead {
  const sealed: Sealed<State> = { state: discovery.state, findings: discovery.findings };
  return {
    workloads: discovery.workloads,
    networks: discovery.networks,
    findings: discovery.findings,
    state: new ReadState(identity, sealed),
  };
}

/** The plan of an opened read: its operations, how each reads and narrows, and where each writes. */
function planSealed<State, Desired extends DesiredOf, Operation, Connection>(
  provider: CloudProvider<State, Desired, Operation, Connection>,
  { state, findings }: Sealed<State>,
  intent: Intent,
  policy: Policy,
): CloudPlan {
  const desired = provider.materialize(intent, state, policy);
  const operations = provider.diff(desired, state);
  const summaries = operations.map((op) => provider.summarize(op, state));
  const narrowing = operations.map((op) => provider.removedRules(op, state));
  const ownedRulesByPlace = provider.ownedRules(state);
  return {
    cloud: provider.cloud,
    operations,
    summaries,
    findings: [...findings, ...desired.findings, ...trackedConnections(provider, summaries)],
    removedRules: narrowing.reduce((sum, n) => sum + n, 0),
    ownedRules: Object.values(ownedRulesByPlace).reduce((sum, n) => sum + n, 0),
    narrowing,
    places: operations.map((op) => provider.placeOf(op)),
    ownedRulesByPlace,
  };
}

interface ApplyReports {
  readonly onApplied: (index: number) => void;
  readonly onRefused: ((index: number, error: unknown) => void) | undefined;
  readonly onStopped: ((index: number, error: unknown) => void) | undefined;
}

/**
 * The operations the guard did not hold, by index in the plan: one run per place, concurrently,
 * where the provider says the plan's places are independent; else one run in the plan's order.
 */
async function applyByPlace<State, Desired extends DesiredOf, Operation, Connection>(
  provider: CloudProvider<State, Desired, Operation, Connection>,
  connection: Connection,
  all: readonly Operation[],
  held: ReadonlySet<number>,
  reports: ApplyReports,
): Promise<void> {
  const unheld = all.map((_, index) => index).filter((index) => !held.has(index));
  const runs = new Map<string, number[]>();
  const concurrent = provider.placesIndependent?.(unheld.map((index) => all[index] as Operation)) === true;
  for (const index of unheld) {
    const place = concurrent ? provider.placeOf(all[index] as Operation) : "";
    const run = runs.get(place);
    if (run === undefined) runs.set(place, [index]);
    else run.push(index);
  }
  const outcomes = await Promise.allSettled(
    [...runs.values()].map((indexes) => applyRun(provider, connection, all, indexes, reports)),
  );
  const failed = outcomes.find((outcome) => outcome.status === "rejected");
  if (failed !== undefined) throw failed.reason;
}

/** One run of operations (by index in the plan) in order; a failure stops the run and is rethrown. */
async function applyRun<State, Desired extends DesiredOf, Operation, Connection>(
  provider: CloudProvider<State, Desired, Operation, Connection>,
  connection: Connection,
  all: readonly Operation[],
  indexes: readonly number[],
  { onApplied, onRefused, onStopped }: ApplyReports,
): Promise<void> {
  const position = new Map(indexes.map((index) => [all[index] as Operation, index]));
  const indexOf = (operation: Operation) => position.get(operation) ?? -1;
  let done = 0;
  try {
    await provider.apply(
      indexes.map((index) => all[index] as Operation),
      connection,
      (operation) => {
        done++;
        onApplied(indexOf(operation));
      },
      onRefused === undefined
        ? undefined
        : (operation, error) => {
            done++;
            onRefused(indexOf(operation), error);
          },
    );
  } catch (error) {
    onStopped?.(indexes[done] ?? -1, error);
    throw error;
  }
}
