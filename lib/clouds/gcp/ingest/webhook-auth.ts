/**
 * Authenticating Pub/Sub push requests (docs/clouds.md, "GCP Pub/Sub push authentication"): the
 * OIDC ID token that the push subscription sends as `Authorization: Bearer`, RS256-signed by one of
 * Google's keys, from accounts.google.com, for the configured audience, unexpired and at most an
 * hour old, and issued to the push subscription's service account with a verified email.
 */
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from "jose";
import { z } from "zod";
import { tokenFailure, UnauthenticatedError } from "../../../ingest/errors.js";
import { bearerToken, type RequestCredentials } from "../../../ingest/function-url.js";
import { type Credential, credentialOf } from "../../../ingest/replay.js";

export type PubSubAuthenticator = (request: RequestCredentials, now: Date) => Promise<Credential>;

const ISSUERS = ["https://accounts.google.com", "accounts.google.com"];
export const GOOGLE_JWKS_URL = "https://www.googleapis.com/oauth2/v3/certs";
/** Pub/Sub's tokens live an hour; an older iat is refused even if exp says otherwise. */
export const TOKEN_LIFETIME = "1h";
/** Tolerated clock difference between Google and Lambda. */
const CLOCK_SKEW_SECONDS = 60;

const ClaimsSchema = z.object({
  exp: z.number(),
  email: z.string({ error: "missing: no email" }),
  email_verified: z.literal(true, { error: "email_verified is not true" }),
});

export function pubSubAuthenticator(
  options: { readonly audience: string; readonly email: string },
  keys: JWTVerifyGetKey,
): PubSubAuthenticator {
  const email = options.email.toLowerCase();
  return async (request, now) => {
    const token = bearerToken(request);
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: ["RS256"],
        issuer: ISSUERS,
        audience: options.audience,
        requiredClaims: ["exp", "iat"],
        maxTokenAge: TOKEN_LIFETIME,
        currentDate: now,
        clockTolerance: CLOCK_SKEW_SECONDS,
      }));
    } catch (error) {
      throw tokenFailure(error, "Pub/Sub token");
    }
    const claims = ClaimsSchema.safeParse(payload);
    if (!claims.success) {
      const problems = claims.error.issues.map((issue) => issue.message).join("; ");
      throw new UnauthenticatedError(`Pub/Sub token: ${problems}`, { cause: claims.error });
    }
    if (claims.data.email.toLowerCase() !== email) {
      throw new UnauthenticatedError(
        `Pub/Sub token: email ${claims.data.email} is not the push service account ${options.email}`,
      );
    }
    return credentialOf(token, new Date(claims.data.exp * 1000));
  };
}

/** Google's signing keys, fetched on first use and cached by jose (refetched for an unknown kid). */
export function googleKeySet(): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(GOOGLE_JWKS_URL), { timeoutDuration: 5_000 });
}
