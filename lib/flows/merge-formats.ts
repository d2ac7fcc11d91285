/**
 * One connection between two clouds, logged by each in its own format (docs/flows.md, "Across
 * clouds"): after resolution, connections of different formats that are the same connection are
 * one, with both formats' reporters and the outcome of its path. Only what cannot be two
 * connections is merged: the same resolved initiator and responder (a workload, or an ipList's or
 * outside address), protocol, responder port and initiator port, known direction, overlapping
 * time spans, and no other connection of either format that could be the same one.
 */
import { outcomeOf } from "./connections.js";
import type { FlowLogFormat, ObservedConnection } from "./model.js";
import type { ResolvedConnection, ResolvedEndpoint } from "./resolve.js";

/** AWS times are whole seconds (the last packet's second): its span reaches to that second's end. */
const GRAIN: Readonly<Record<FlowLogFormat, number>> = { aws: 999, azure: 0, gcp: 0 };

/** The endpoint as one thing, or undefined where it could be several (a NAT address, ambiguous). */
function endKey(endpoint: ResolvedEndpoint): string | undefined {
  if (endpoint.kind === "workload") return `workload ${endpoint.workload}`;
  if (endpoint.kind === "ipList" || endpoint.kind === "outside") return `address ${endpoint.address}`;
  return undefined;
}

/** What two connections must share to be one, or undefined where nothing makes it certain. */
function sameKey(connection: ResolvedConnection): string | undefined {
  const { initiatorPort, service } = connection;
  if (!connection.directionKnown || initiatorPort === undefined || service.port === undefined)
    return undefined;
  const initiator = endKey(connection.initiator);
  const responder = endKey(connection.responder);
  if (initiator === undefined || responder === undefined) return undefined;
  return JSON.stringify([initiator, responder, service.protocol, service.port, initiatorPort]);
}

/**
 * Runs of connections (sorted by first) whose spans overlap, each run merged when its formats are
 * all different: two of one format there could be two connections, so none of the run is merged.
 */
function mergeableRuns(members: readonly ResolvedConnection[]): ResolvedConnection[][] {
  const sorted = [...members].sort((a, b) => a.first - b.first);
  const runs: ResolvedConnection[][] = [];
  let run: ResolvedConnection[] = [];
  let runLast = Number.NEGATIVE_INFINITY;
  for (const connection of sorted) {
    if (connection.first > runLast) {
      run = [];
      runs.push(run);
    }
    run.push(connection);
    runLast = Math.max(runLast, connection.last + GRAIN[connection.format]);
  }
  return runs.filter((each) => each.length > 1 && new Set(each.map((c) => c.format)).size === each.length);
}

type Seen = NonNullable<ObservedConnection["request"]>["atResponder"];

/** One end's view over several logs: rejected when any log's view is (as one log's reporters). */
function bothViews(views: readonly Seen[]): Seen {
  if (views.includes("reject")) return "reject";
  return views.includes("accept") ? "accept" : undefined;
}

function merged(run: readonly ResolvedConnection[]): ResolvedConnection {
  const [head, ...others] = run as [ResolvedConnection, ...ResolvedConnection[]];
  const atResponder = bothViews(run.map((c) => c.request?.atResponder));
  const atInitiator = bothViews(run.map((c) => c.request?.atInitiator));
  const request = {
    ...(atResponder === undefined ? {} : { atResponder }),
    ...(atInitiator === undefined ? {} : { atInitiator }),
  };
  const reporters = new Map(run.flatMap((c) => c.reportedBy.map((r) => [`${r.kind}:${r.id}`, r] as const)));
  return {
    ...head,
    alsoIn: others.map((c) => c.format),
    action: outcomeOf(
      request,
      run.some((c) => c.action === "accept"),
    ),
    ...(atResponder === undefined && atInitiator === undefined ? {} : { request }),
    first: Math.min(...run.map((c) => c.first)),
    last: Math.max(...run.map((c) => c.last)),
    // Each log counted both directions of the same connection: the larger count, as per reporter.
    packets: Math.max(...run.map((c) => c.packets)),
    bytes: Math.max(...run.map((c) => c.bytes)),
    records: run.reduce((sum, c) => sum + c.records, 0),
    reportedBy: [...reporters.keys()]
      .sort()
      .map((key) => reporters.get(key) as (typeof head.reportedBy)[number]),
  };
}

/** The connections with those of different formats that are one connection merged, in their order. */
export function mergeAcrossFormats(connections: readonly ResolvedConnection[]): ResolvedConnection[] {
  const byKey = new Map<string, ResolvedConnection[]>();
  for (const connection of connections) {
    const key = sameKey(connection);
    if (key === undefined) continue;
    const members = byKey.get(key);
    if (members === undefined) byKey.set(key, [connection]);
    else members.push(connection);
  }
  const replaced = new Map<ResolvedConnection, ResolvedConnection | undefined>();
  for (const members of byKey.values()) {
    if (members.length < 2) continue;
    for (const run of mergeableRuns(members)) {
      const [head, ...others] = run as [ResolvedConnection, ...ResolvedConnection[]];
      replaced.set(head, merged(run));
      for (const other of others) replaced.set(other, undefined);
    }
  }
  if (replaced.size === 0) return [...connections];
  return connections.flatMap((c) => {
    if (!replaced.has(c)) return [c];
    const by = replaced.get(c);
    return by === undefined ? [] : [by];
  });
}
