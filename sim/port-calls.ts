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
}

export type PortCalls = Readonly<Record<Cloud, CloudPortCalls>>;

/** A location simulator as the counter reads it: its call log, which clearCalls may empty. */
export interface LoggedLocation {
  readonly calls: readonly { readonly method: string }[];
}

/** Counts each location's calls once: every take answers the calls logged since the one before. */
export class PortCallCounter {
  /** By location simulator: how many of its logged calls earlier takes counted, and the last of them. */
  private readonly counted = new Map<LoggedLocation, { readonly count: number; readonly last: unknown }>();

  /** `locations`: each cloud's location simulators, with the port methods that write. */
  take(
    locations: (cloud: Cloud) => Iterable<LoggedLocation>,
    writeMethods: (cloud: Cloud) => ReadonlySet<string>,
  ): PortCalls {
    const byCloud = CLOUDS.map((cloud) => {
      const reads = new Map<string, number>();
      const writes = new Map<string, number>();
      const writing = writeMethods(cloud);
      for (const location of locations(cloud)) {
        const calls = location.calls;
        const counted = this.counted.get(location);
        // A log emptied since (clearCalls) no longer holds the last call counted: from its start.
        const kept = counted !== undefined && counted.count > 0 && calls[counted.count - 1] === counted.last;
        for (let index = kept ? counted.count : 0; index < calls.length; index += 1) {
          const method = calls[index]?.method ?? "";
          const counts = writing.has(method) ? writes : reads;
          counts.set(method, (counts.get(method) ?? 0) + 1);
        }
        this.counted.set(location, { count: calls.length, last: calls[calls.length - 1] });
      }
      return [cloud, { reads: sortedRecord(reads), writes: sortedRecord(writes) }] as const;
    });
    return Object.fromEntries(byCloud) as Record<Cloud, CloudPortCalls>;
  }
}

function sortedRecord(counts: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...counts].sort(([a], [b]) => compareText(a, b)));
}

/** Every call of one cloud, reads and writes together. */
export function totalCalls(calls: CloudPortCalls): { readonly reads: number; readonly writes: number } {
  const sum = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((a, b) => a + b, 0);
  return { reads: sum(calls.reads), writes: sum(calls.writes) };
}
