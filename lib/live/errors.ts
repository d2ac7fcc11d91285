/**
 * Errors of the live wiring (lib/live). None of their messages carries a token, a client secret or
 * a key: they name the audience or the secret ARN and say what is wrong.
 */

/** AWS STS did not hand out a web identity token for the audience (outbound federation off, no permission, …). */
export class WebIdentityTokenError extends Error {
  constructor(
    readonly audience: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`web identity token for audience ${audience}: ${message}`, options);
    this.name = new.target.name;
  }
}

/** A Secrets Manager secret that should hold a credential cannot be read or does not hold one. */
export class CredentialSecretError extends Error {
  constructor(
    readonly secretArn: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`secret ${secretArn}: ${message}`, options);
    this.name = new.target.name;
  }
}

/** A Google credential could not be built from the configuration (ADC not found, bad federation settings). */
export class GcpCredentialError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
