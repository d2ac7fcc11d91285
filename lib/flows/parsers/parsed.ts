/** Building ParsedRecords: the one shape a parser's outcome takes. */
import type { ParsedRecord, RecordOrigin } from "../model.js";

export function malformed(origin: RecordOrigin, reason: string): ParsedRecord {
  return { kind: "malformed", malformed: { origin, reason } };
}
