/** The record key is missing, too short, or used before it was loaded. */
export class RecordKeyError extends Error {
  override readonly name = "RecordKeyError";
}
