/** Errors of the construct that are not about its props (those are settings.ts's SynchronizerConfigError). */

/** A function's prebuilt bundle is not in the package: a clone that was not built. */
export class FunctionBundleMissingError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "FunctionBundleMissingError";
  }
}
