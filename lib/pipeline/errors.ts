/** A function's environment is missing a variable or holds a malformed one: the cold start fails. */
export class EnvironmentError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
