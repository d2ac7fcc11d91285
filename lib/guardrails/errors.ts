/** Errors of the guardrail documents (lib/guardrails). */

/** A principal or option given to the guardrails is not of the form its cloud accepts. */
export class GuardrailInputError extends Error {
  constructor(
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`guardrails: ${problems.join("; ")}`, options);
    this.name = new.target.name;
  }
}

/**
 * A generated document breaks its cloud's own rules (an SCP over 5,120 characters with many
 * label writers, say): it would be refused at deployment, so it is refused here.
 */
export class GuardrailDocumentError extends Error {
  constructor(
    readonly document: string,
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`guardrails: the ${document} is not valid: ${problems.join("; ")}`, options);
    this.name = new.target.name;
  }
}
