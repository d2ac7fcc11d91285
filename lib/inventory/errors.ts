/** Base class of every error that lib/inventory throws, so callers can tell inventory failures apart. */
export class InventoryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Text that should be a workload or network id (docs/architecture.md, "Vocabulary") and is not. */
export class InvalidIdError extends InventoryError {
  constructor(
    readonly text: string,
    message: string,
  ) {
    super(message);
  }
}

/** A label map that cannot form an identity: a key or value is not portable (docs/policy.md). */
export class InvalidLabelsError extends InventoryError {}

/** A workload handed to a store does not satisfy the inventory schema; nothing was written. */
export class InvalidWorkloadError extends InventoryError {
  constructor(
    readonly workloadId: unknown,
    readonly issues: readonly string[],
  ) {
    super(`workload ${String(workloadId)} is not valid: ${issues.join("; ")}`);
  }
}

/** A network handed to a store does not satisfy the inventory schema; nothing was written. */
export class InvalidNetworkError extends InventoryError {
  constructor(
    readonly networkId: unknown,
    readonly issues: readonly string[],
  ) {
    super(`network ${String(networkId)} is not valid: ${issues.join("; ")}`);
  }
}

/**
 * An optimistic-concurrency check failed: the record changed since the caller read it.
 * `actualRevision` is undefined when the record does not exist (any more).
 */
export class InventoryConflictError extends InventoryError {
  constructor(
    readonly workloadId: string,
    readonly expectedRevision: number,
    readonly actualRevision: number | undefined,
    options?: { cause?: unknown },
  ) {
    const actual = actualRevision === undefined ? "it does not exist" : `it is at revision ${actualRevision}`;
    const expected = expectedRevision === 0 ? "to be absent" : `at revision ${expectedRevision}`;
    super(`workload ${workloadId} was expected ${expected}, but ${actual}`, options);
  }
}

/** The file store's file cannot be read, has bad content, or cannot be written. */
export class InventoryFileError extends InventoryError {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`inventory file ${file}: ${message}`, options);
  }
}

/**
 * A compact inventory snapshot was refused: stale, incomplete, corrupt or not valid. The store
 * reads the table in full instead; the message says why.
 */
export class InventorySnapshotError extends InventoryError {}
