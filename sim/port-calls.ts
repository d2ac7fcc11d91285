/**
 * The port calls the simulated clouds received, counted from each location simulator's call log
 * (sim/clouds/common/call-log.ts): what `simulate --json` reports for each reconcile step
 * (docs/formats.md, "simulate --json"), so that a reconcile's cost can be read from outside. A
 * call counts whatever its outcome (a throttled call was received all the same).
 */
import { CLOUDS, type Cloud } from "../lib/inventory/model.js";
import { compareText } from "../lib/util/compare-text.js";

/** One cloud's calls: reads and writes, each by port method name, in name order. */
export interface CloudPortCalls {
  readonly reads: Readonly<Record<string, number>>;
  readonly writes: Readonly<Record<string, number>>;
  /**
   * The requests the reads take at the real cloud: a port read returns every page, and a list the
   * cloud pages costs one request per page of the largest size the API allows (docs/formats.md).
   */
  readonly readRequests: number;
  /** Milliseconds the simulators spent answering: a reconcile's wall time minus this is segsync's own. */
  readonly simulatorMs: number;
}

export type PortCalls = Readonly<Record<Cloud, CloudPortCalls>>;

/** A location simulator as the counter reads it: its call log, which clearCalls may empty. */
export interface LoggedLocation {
  readonly calls: readonly { readonly method: string; readonly items?: number; readonly ms?: number }[];
}

/** The cloud's largest page per read method it pages; a method not listed is one request per call. */
export type PageSizes = Readonly<Record<string, number>>;

/** The requests one read takes: one per page, and one for an empty result. */
function requestsOf(items: number | undefined, pageSize: number | undefined): number {
  if (items === undefined || pageSize === undefined) return 1;
  return Math.max(1, Math.ceil(items / pageSize));
}

/** Counts each location's calls once: every take answers the calls logged since the one before. */
export class PortCallCounter {
  /** By location simulator: how many of its logged calls earlier takes counted, and the last of them. */
  private readonly counted = new Map<LoggedLocation, { readonly count: number; readonly last: unknown }>();

  /** `locations`: each cloud's location simulators, with the port methods that write. */
  take(
    locations: (cloud: Cloud) => Iterable<LoggedLocation>,
    methods: (cloud: Cloud) => { readonly writes: ReadonlySet<string>; readonly pageSizes: PageSizes },
  ): PortCalls {
    const byCloud = CLOUDS.map((cloud) => [cloud, this.takeCloud(locations(cloud), methods(cloud))] as const);
    return Object.fromEntries(byCloud) as Record<Cloud, CloudPortCalls>;
  }

  private takeCloud(
    locations: Iterable<LoggedLocation>,
    { writes: writing, pageSizes }: { readonly writes: ReadonlySet<string>; readonly pageSizes: PageSizes },
  ): CloudPortCalls {
    const reads = new Map<string, number>();
    const writes = new Map<string, number>();
    let readRequests = 0;
    let simulatorMs = 0;
    for (const location of locations) {
      const calls = location.calls;
      const counted = this.counted.get(location);
      // A log emptied since (clearCalls) no longer holds the last call counted: from its start.
      const kept = counted !== undefined && counted.count > 0 && calls[counted.count - 1] === counted.last;
      for (let index = kept ? counted.count : 0; index < calls.length; index += 1) {
        const call = calls[index];
        const method = call?.method ?? "";
        const isWrite = writing.has(method);
        const counts = isWrite ? writes : reads;
        counts.set(method, (counts.get(method) ?? 0) + 1);
        if (!isWrite) readRequests += requestsOf(call?.items, pageSizes[method]);
        simulatorMs += call?.ms ?? 0;
      }
      this.counted.set(location, { count: calls.length, last: calls[calls.length - 1] });
    }
    return {
      reads: sortedRecord(reads),
      writes: sortedRecord(writes),
      readRequests,
      simulatorMs: Math.round(simulatorMs * 10) / 10,
    };
  }
}

function sortedRecord(counts: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...counts].sort(([a], [b]) => compareText(a, b)));
}

/** Every call of one cloud, reads and writes together. */
export function totalCalls(calls: Pick<CloudPortCalls, "reads" | "writes">): {
  readonly reads: number;
  readonly writes: number;
} {
  const sum = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((a, b) => a + b, 0);
  return { reads: sum(calls.reads), writes: sum(calls.writes) };
}
