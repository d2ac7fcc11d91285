/**
 * Authenticating Pub/Sub push requests (docs/clouds.md, "GCP Pub/Sub push authentication"): the
 * OIDC ID token that the push subscription sends as `Authorization: Bearer`, RS256-signed by one of
 * Google's keys, from accounts.google.com, for the configured audience, unexpired and at most an
 * hour old, and issued to the push subscription's service account with a verified email.
 */
import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { UnauthenticatedError } from "../../../ingest/errors.js";
import type { RequestCredentials } from "../../../ingest/function-url.js";
import { type Credential, credentialOf } from "../../../ingest/replay.js";
import { verifiedBearerToken } from "../../common/bearer-token.js";

export type PubSubAuthenticator = (request: RequestCredentials, now: Date) => Promise<Credential>;

const ISSUERS = ["https://accounts.google.com", "accounts.google.com"];
export const GOOGLE_JWKS_URL = "https://www.googleapis.com/oauth2/v3/certs";
/** Pub/Sub's tokens live an hour; an older iat is refused even if exp says otherwise. */
export const TOKEN_LIFETIME = "1h";

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
    const { token, claims } = await verifiedBearerToken(request, now, keys, {
      what: "Pub/Sub token",
      issuers: ISSUERS,
      audience: options.audience,
      requiredClaims: ["exp", "iat"],
      maxTokenAge: TOKEN_LIFETIME,
      claims: ClaimsSchema,
      issueLine: (issue) => issue.message,
    });
    if (claims.email.toLowerCase() !== email) {
      throw new UnauthenticatedError(
        `Pub/Sub token: email ${claims.email} is not the push service account ${options.email}`,
      );
    }
    return credentialOf(token, new Date(claims.exp * 1000));
  };
}

/** Google's signing keys, fetched on first use and cached by jose (refetched for an unknown kid). */
export function googleKeySet(): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(GOOGLE_JWKS_URL), { timeoutDuration: 5_000 });
}
