/** Errors of lib/flows: what the caller asked for cannot be done (a bad format), or a log object cannot be read. */

/** The caller named a format segsync cannot read: an unknown format, or an `--aws-format` it cannot use. */
export class FlowLogFormatError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "FlowLogFormatError";
  }
}

/** A log object could not be opened or read to its end (not a malformed record: an I/O failure). */
export class FlowLogReadError extends Error {
  constructor(
    readonly object: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${object}: ${message}`, options);
    this.name = "FlowLogReadError";
  }
}

/**
 * What connections are resolved against cannot be used: an inventory or policy address that is no
 * address, a timeline without snapshots or with two at one time, a connection address that is none.
 */
export class FlowResolutionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "FlowResolutionError";
  }
}

/** Suggestions cannot be merged into the policy's text: it does not parse, or lacks the ruleset a rule goes into. */
export class FlowSuggestionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "FlowSuggestionError";
  }
}
