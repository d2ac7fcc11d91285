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
