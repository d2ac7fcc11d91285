/** An EventBridge event that is not one segsync accepts: forged, malformed, or of another kind. */
export class AwsEventError extends Error {
  constructor(
    message: string,
    /** One line per problem, each starting with the path of the offending field. */
    readonly issues: readonly string[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}
