/**
 * A webhook's OIDC bearer token, checked the way every cloud's webhook authentication checks it
 * (docs/clouds.md, "Azure Event Grid", "GCP Pub/Sub push authentication"): RS256-signed by a key
 * of the issuer's key set, from one of its issuers, for the configured audience, within exp (and
 * nbf, iat where the token has them), then its claims read with the cloud's own schema.
 */
import { type JWTVerifyGetKey, jwtVerify } from "jose";
import type { z } from "zod";
import { tokenFailure, UnauthenticatedError } from "../../ingest/errors.js";
import { bearerToken, type RequestCredentials } from "../../ingest/function-url.js";

/** Tolerated clock difference between the token's issuer and Lambda. */
const CLOCK_SKEW_SECONDS = 60;

export interface BearerTokenCheck<Claims> {
  /** Names the token in errors ("Entra token", "Pub/Sub token"). */
  readonly what: string;
  readonly issuers: readonly string[];
  readonly audience: string;
  readonly requiredClaims: readonly string[];
  /** Refuses a token issued longer ago (iat), whatever its exp says. */
  readonly maxTokenAge?: string;
  readonly claims: z.ZodType<Claims>;
  /** One problem with the claims, as the error says it. */
  readonly issueLine: (issue: z.core.$ZodIssue) => string;
}

/** The token and its claims; UnauthenticatedError (or KeySetUnavailableError) naming what is wrong. */
export async function verifiedBearerToken<Claims>(
  request: RequestCredentials,
  now: Date,
  keys: JWTVerifyGetKey,
  check: BearerTokenCheck<Claims>,
): Promise<{ readonly token: string; readonly claims: Claims }> {
  const token = bearerToken(request);
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: ["RS256"],
      issuer: [...check.issuers],
      audience: check.audience,
      requiredClaims: [...check.requiredClaims],
      ...(check.maxTokenAge === undefined ? {} : { maxTokenAge: check.maxTokenAge }),
      currentDate: now,
      clockTolerance: CLOCK_SKEW_SECONDS,
    }));
  } catch (error) {
    throw tokenFailure(error, check.what);
  }
  const claims = check.claims.safeParse(payload);
  if (!claims.success) {
    const problems = claims.error.issues.map(check.issueLine).join("; ");
    throw new UnauthenticatedError(`${check.what}: ${problems}`, { cause: claims.error });
  }
  return { token, claims: claims.data };
}
