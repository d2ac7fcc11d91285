/**
 * The simulated clouds' flow logs over a run (docs/flows.md, "Simulated flow logs"): each cloud's
 * writer (sim/clouds/<cloud>/flow-log.ts) gets the connections its interfaces saw, and gives its
 * files in its own format, for `simulate --flow-logs-out DIR` (one folder per cloud).
 */
import { CLOUDS, type Cloud } from "../../lib/inventory/model.js";
import { simulatorOf } from "../clouds/registry.js";
import type { FlowLogWriter, LogFile, LoggedConnection } from "../clouds/traffic.js";

/** The ephemeral ports a source picks from (Linux's default range). */
const EPHEMERAL_FIRST = 32768;
const EPHEMERAL_COUNT = 61000 - EPHEMERAL_FIRST;

export interface CloudLogFile extends LogFile {
  readonly cloud: Cloud;
}

export class FlowLogs {
  private readonly writers = new Map<Cloud, FlowLogWriter<unknown>>();
  private connections = 0;

  /**
   * The source port of the run's next connection: each connection its own, so that two of the
   * same flow (in one step, or before and after a change) are two connections in the logs.
   */
  nextSourcePort(): number {
    return EPHEMERAL_FIRST + (this.connections++ % EPHEMERAL_COUNT);
  }

  record(cloud: Cloud, connection: LoggedConnection<unknown>): void {
    let writer = this.writers.get(cloud);
    if (writer === undefined) {
      writer = simulatorOf(cloud).traffic.newLog();
      this.writers.set(cloud, writer);
    }
    writer.record(connection);
  }

  /** Every cloud's files, cloud by cloud; a cloud whose interfaces saw nothing has none. */
  files(): CloudLogFile[] {
    return CLOUDS.flatMap((cloud) =>
      (this.writers.get(cloud)?.files() ?? []).map((file) => ({ cloud, ...file })),
    );
  }
}
