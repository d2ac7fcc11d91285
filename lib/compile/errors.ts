export class CompileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An inventory listed one workload id twice: which record is right cannot be told. */
export class DuplicateWorkloadError extends CompileError {
  constructor(readonly workloadId: string) {
    super(`the inventory lists workload ${workloadId} more than once`);
  }
}

/** The compiler's bookkeeping contradicts itself: a bug, never an input problem. */
export class CompilerInvariantError extends CompileError {}
