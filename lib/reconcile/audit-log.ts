import type { AuditRecord, AuditSink } from "./audit.js";

/**
 * The part of a structured logger that segsync writes to (the Powertools Logger in Lambda): a
 * message and attributes, one JSON line each.
 */
export interface StructuredLog {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/** The message of every audit entry, for log queries (`filter message = "segsync audit"`). */
export const AUDIT_MESSAGE = "segsync audit";

/**
 * Audit records as structured log entries under `audit`: applied operations at info, failed ones
 * at error. The function's log level must keep info, or applied operations go unaudited.
 */
export class LogAuditSink implements AuditSink {
  constructor(private readonly log: StructuredLog) {}

  record(record: AuditRecord): void {
    const entry = { audit: record };
    if (record.outcome !== "applied") this.log.error(AUDIT_MESSAGE, entry);
    else this.log.info(AUDIT_MESSAGE, entry);
  }
}
