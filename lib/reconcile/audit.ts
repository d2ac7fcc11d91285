import type { OperationSummary } from "../clouds/provider.js";

/**
 * What was done, where, and how it ended: one per applied, failed (the plan stopped there) or
 * refused (the cloud refused that one object; the plan went on) native operation.
 */
export interface AuditRecord extends OperationSummary {
  readonly time: string;
  readonly outcome: "applied" | "failed" | "refused";
  /** The native operation as planned (its before and after are in it). */
  readonly operation: unknown;
  readonly error?: string;
}

/** Where audit records go: the log in Lambda, memory in tests, stdout in the CLI. */
export interface AuditSink {
  record(record: AuditRecord): void;
}

export class MemoryAuditSink implements AuditSink {
  readonly records: AuditRecord[] = [];

  record(record: AuditRecord): void {
    this.records.push(record);
  }
}
