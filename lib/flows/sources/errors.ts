/**
 * What reading flow logs where the clouds put them throws (docs/flows-sources.md). Each error
 * names the location or the object it is about; none quotes a credential.
 */

/** Base class of every error of lib/flows/sources. */
export class FlowSourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A location string that is none of the forms segsync reads, or one of them written wrong. */
export class InvalidLocationError extends FlowSourceError {
  constructor(
    readonly location: string,
    reason: string,
  ) {
    super(`flow log location ${JSON.stringify(location)}: ${reason}`);
  }
}

/** A location that holds no log object: a mistyped prefix must not read as "no flows". */
export class EmptyLocationError extends FlowSourceError {
  constructor(readonly location: string) {
    super(`${location} holds no flow log objects`);
  }
}

/** Listing a location failed (missing, not allowed, unreachable). */
export class LocationReadError extends FlowSourceError {
  constructor(
    readonly location: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`reading ${location} failed: ${reason}`, options);
  }
}

/** Opening or reading one log object failed; the other objects can still be read. */
export class ObjectReadError extends FlowSourceError {
  constructor(
    readonly object: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`reading ${object} failed: ${reason}`, options);
  }
}

/** An object that starts as gzip and does not decompress (truncated, corrupt). */
export class CorruptGzipError extends ObjectReadError {
  constructor(object: string, options?: { cause?: unknown }) {
    const detail = options?.cause instanceof Error ? `: ${options.cause.message}` : "";
    super(object, `it is gzip but does not decompress${detail}`, options);
  }
}

/** An error's message, for the reason of the errors above. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
