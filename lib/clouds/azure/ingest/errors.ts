/** An Event Grid delivery that segsync does not accept: forged, malformed, or of another kind. */
export class AzureEventError extends Error {
  constructor(
    message: string,
    /** One line per problem, each starting with the path of the offending field (`[0].data.operationName`). */
    readonly issues: readonly string[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}
