import type { CloudProvider, Discovery } from "../clouds/provider.js";
import type { Intent } from "../compile/model.js";
import type { Cloud, NetworkId, Workload, WorkloadId } from "../inventory/model.js";
import type { CloudPlan } from "../plan/model.js";
import type { Policy } from "../policy/model.js";
import { ReconcileError } from "./errors.js";

/**
 * One cloud's provider bound to its connection, with the last state read from it. It hides the
 * cloud's own types (state, desired, operations) from the orchestration, which only moves plans
 * between planning and applying the same cloud.
 */
export interface CloudDriver {
  readonly cloud: Cloud;
  /**
   * A read of every place, or of the places that hold the scope's networks and workloads
   * (provider.narrow); keeps the
   * state for planning, which then plans those places only.
   */
  discover(
    labels: Policy["labels"],
    scope?: { readonly networks: readonly NetworkId[]; readonly workloads: readonly WorkloadId[] },
  ): Promise<Omit<Discovery<unknown>, "state">>;
  discoverWorkload(workload: WorkloadId, labels: Policy["labels"]): Promise<Workload | undefined>;
  /** Plans against the state of the last discover. */
  plan(intent: Intent, policy: Policy): CloudPlan;
  /**
   * Applies a plan this driver made, but for the operations `held` names (by index: the guard
   * holds them back); reports each operation as it is applied, and each one the cloud refuses for
   * one object (the plan goes on past those).
   */
  apply(
    plan: CloudPlan,
    held: ReadonlySet<number>,
    onApplied: (index: number) => void,
    onRefused?: (index: number, error: unknown) => void,
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

export function cloudDriver<
  State,
  Desired extends { readonly findings: readonly CloudPlan["findings"][number][] },
  Operation,
  Connection,
>(provider: CloudProvider<State, Desired, Operation, Connection>, connection: Connection): CloudDriver {
  let state: State | undefined;
  let readFindings: readonly CloudPlan["findings"][number][] = [];
  const current = (): State => {
    if (state === undefined) throw new ReconcileError(`${provider.cloud}: planned before the cloud was read`);
    return state;
  };
  const made = new WeakSet<CloudPlan>();
  return {
    cloud: provider.cloud,
    async discover(labels, scope) {
      const read =
        scope === undefined ? connection : provider.narrow(connection, scope.networks, scope.workloads);
      const discovery = await provider.discover(read, labels);
      state = discovery.state;
      readFindings = discovery.findings;
      return { workloads: discovery.workloads, networks: discovery.networks, findings: discovery.findings };
    },
    discoverWorkload: (workload, labels) => provider.discoverWorkload(connection, workload, labels),
    plan(intent, policy) {
      const now = current();
      const desired = provider.materialize(intent, now, policy);
      const operations = provider.diff(desired, now);
      const summaries = operations.map((op) => provider.summarize(op, now));
      const narrowing = operations.map((op) => provider.removedRules(op, now));
      const ownedRulesByPlace = provider.ownedRules(now);
      const plan: CloudPlan<Operation> = {
        cloud: provider.cloud,
        operations,
        summaries,
        findings: [...readFindings, ...desired.findings, ...trackedConnections(provider, summaries)],
        removedRules: narrowing.reduce((sum, n) => sum + n, 0),
        ownedRules: Object.values(ownedRulesByPlace).reduce((sum, n) => sum + n, 0),
        narrowing,
        places: operations.map((op) => provider.placeOf(op)),
        ownedRulesByPlace,
      };
      made.add(plan);
      return plan;
    },
    async apply(plan, held, onApplied, onRefused) {
      if (!made.has(plan))
        throw new ReconcileError(`${provider.cloud}: asked to apply a plan it did not make`);
      const all = plan.operations as readonly Operation[];
      const operations = all.filter((_, index) => !held.has(index));
      const position = new Map(all.map((operation, index) => [operation, index]));
      const indexOf = (operation: Operation) => position.get(operation) ?? -1;
      await provider.apply(
        operations,
        connection,
        (operation) => onApplied(indexOf(operation)),
        onRefused === undefined ? undefined : (operation, error) => onRefused(indexOf(operation), error),
      );
    },
  };
}
