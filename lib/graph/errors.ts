/** Errors of lib/graph. */

/**
 * The `--flows` file is not what `flows check --json` writes: not JSON, or a value that breaks
 * the contract (docs/graph.md, "Observed flows"), named by its JSON path.
 */
export class FlowCheckReportError extends Error {
  constructor(
    readonly file: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${message}`, options);
    this.name = "FlowCheckReportError";
  }
}
