/** The record key is missing, too short, or used before it was loaded. */
export class RecordKeyError extends Error {
  override readonly name = "RecordKeyError";
}

/**
 * A cloud API's failure as segsync tells them apart: each cloud's errors.ts names its own kinds
 * (throttled, not found, over a quota, …) below its own base. Both the SDK adapter and the
 * simulator throw them, with the cloud's error code in `code` and the original error as `cause`.
 */
export class CloudApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A failure of a cloud API that answers over HTTP with a status (ARM, Compute); 0: no response. */
export class HttpCloudApiError extends CloudApiError {
  constructor(
    message: string,
    code: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, code, options);
  }
}

/** A native event segsync does not accept: forged, malformed, or of another kind. */
export class CloudEventError extends Error {
  constructor(
    message: string,
    /** One line per problem, each starting with the path of the offending field. */
    readonly issues: readonly string[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}
