/** A Pub/Sub push or audit LogEntry that segsync does not accept: forged, malformed, or of another kind. */
export class GcpEventError extends Error {
  constructor(
    message: string,
    /** One line per problem, each starting with the path of the offending field. */
    readonly issues: readonly string[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}
