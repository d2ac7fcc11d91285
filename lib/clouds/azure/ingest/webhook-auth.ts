/**
 * Authenticating Event Grid webhook deliveries (docs/clouds.md, "Azure Event Grid"), from the
 * headers and query only: the body is not read until the request is authenticated. Two modes
 * (lib/pipeline/environment.ts EventGridAuthSchema): a shared secret that the event subscription sends
 * in its endpoint URL's query or in a delivery header, or an Entra ID bearer token (secure webhook
 * delivery).
 */
import { createHash, timingSafeEqual as equalBytes } from "node:crypto";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { SecretUnavailableError, UnauthenticatedError } from "../../../ingest/errors.js";
import type { RequestCredentials } from "../../../ingest/function-url.js";
import { type Credential, credentialOf } from "../../../ingest/replay.js";
import { readSecretString } from "../../../live/secrets.js";
import { verifiedBearerToken } from "../../common/bearer-token.js";

export type EventGridAuthenticator = (request: RequestCredentials, now: Date) => Promise<Credential>;

/** The secrets currently accepted: during a rotation, the new one and the previous one. */
export type SecretSource = () => Promise<readonly string[]>;

/** Event Grid asks for Entra tokens carrying this app role (assigned to its service principal). */
export const EVENT_GRID_ROLE = "AzureEventGridSecureWebhookSubscriber";
/** A shorter secret could be guessed by trying values over HTTP. */
const MIN_SECRET_LENGTH = 16;

/**
 * The secret from the header if present, else from the query parameter, compared in constant
 * time with each accepted secret: SHA-256 digests have equal lengths, so neither the content nor
 * the length of a secret leaks through timing.
 */
export function secretAuthenticator(
  options: { readonly header: string; readonly queryParameter: string },
  secrets: SecretSource,
): EventGridAuthenticator {
  return async (request) => {
    const presented = request.header(options.header) ?? request.query(options.queryParameter);
    if (presented === undefined || presented === "") {
      throw new UnauthenticatedError(
        `no secret in the ${options.header} header or the ${options.queryParameter} query parameter`,
      );
    }
    const digest = sha256(presented);
    let matched = false;
    // Every secret is compared, so the time taken does not tell which one matched.
    for (const secret of await secrets()) matched = equalBytes(digest, sha256(secret)) || matched;
    if (!matched) throw new UnauthenticatedError("the secret does not match");
    return credentialOf(presented);
  };
}

/**
 * An Entra ID access token: RS256 signed by a key of the tenant's JWKS, issued by the tenant (v1
 * or v2 issuer), for `audience`, within exp/nbf, for the tenant (`tid`), and carrying the
 * AzureEventGridSecureWebhookSubscriber role.
 */
export function entraAuthenticator(
  options: { readonly tenantId: string; readonly audience: string },
  keys: JWTVerifyGetKey,
): EventGridAuthenticator {
  const issuers = [
    `https://sts.windows.net/${options.tenantId}/`,
    `https://login.microsoftonline.com/${options.tenantId}/v2.0`,
  ];
  return async (request, now) => {
    const { token, claims } = await verifiedBearerToken(request, now, keys, {
      what: "Entra token",
      issuers,
      audience: options.audience,
      requiredClaims: ["exp"],
      claims: EntraClaimsSchema,
      issueLine,
    });
    if (claims.tid !== undefined && claims.tid.toLowerCase() !== options.tenantId) {
      throw new UnauthenticatedError(`Entra token: tid is ${claims.tid}, not the tenant ${options.tenantId}`);
    }
    if (!claims.roles.includes(EVENT_GRID_ROLE)) {
      throw new UnauthenticatedError(`Entra token: roles do not include ${EVENT_GRID_ROLE}`);
    }
    return credentialOf(token, new Date(claims.exp * 1000));
  };
}

const EntraClaimsSchema = z.object({
  exp: z.number(),
  tid: z.string().optional(),
  roles: z.array(z.string(), { error: `missing: no roles (${EVENT_GRID_ROLE} is required)` }),
});

/** The tenant's signing keys, fetched on first use and cached by jose (refetched for an unknown kid). */
export function entraKeySet(tenantId: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(`https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`), {
    timeoutDuration: 5_000,
  });
}

/**
 * The accepted secrets from a Secrets Manager secret string: either the secret itself, or JSON
 * `{"current": "…", "previous": "…"}` while rotating (Event Grid subscriptions are updated one by
 * one, so both must work for a while).
 */
export function parseSecretValue(text: string): readonly string[] {
  const secrets = rotationOf(text) ?? [text];
  if (secrets.some((secret) => secret.length < MIN_SECRET_LENGTH)) {
    throw new SecretUnavailableError(
      `the Event Grid secret is shorter than ${MIN_SECRET_LENGTH} characters: refusing to use it`,
    );
  }
  return secrets;
}

const RotationSchema = z
  .object({ current: z.string(), previous: z.string().optional() })
  .strict()
  .transform(({ current, previous }) => (previous === undefined ? [current] : [current, previous]));

function rotationOf(text: string): string[] | undefined {
  if (!text.trimStart().startsWith("{")) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = RotationSchema.safeParse(json);
  if (!parsed.success) {
    throw new SecretUnavailableError(
      'the Event Grid secret is a JSON object but not {"current": "…", "previous": "…"}',
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

/** Five minutes: a rotation is picked up soon, and a flood of bad requests costs no Secrets Manager calls. */
const SECRET_CACHE_MS = 5 * 60_000;

/** The secret read from Secrets Manager and cached per container; a failed read is not cached. */
export function secretsManagerSource(
  client: SecretsManagerClient,
  secretArn: string,
  options: { readonly cacheMs?: number; readonly now?: () => Date } = {},
): SecretSource {
  const cacheMs = options.cacheMs ?? SECRET_CACHE_MS;
  const now = options.now ?? (() => new Date());
  let cached: { readonly secrets: Promise<readonly string[]>; readonly until: number } | undefined;
  return () => {
    const at = now().getTime();
    if (cached === undefined || cached.until <= at) {
      const secrets = readSecret(client, secretArn);
      const entry = { secrets, until: at + cacheMs };
      cached = entry;
      secrets.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.secrets;
  };
}

async function readSecret(client: SecretsManagerClient, secretArn: string): Promise<readonly string[]> {
  let text: string;
  try {
    text = await readSecretString(client, secretArn);
  } catch (error) {
    // A 503 for the sender: Event Grid retries, and the secret may be readable then.
    const why = error instanceof Error ? error.message : String(error);
    throw new SecretUnavailableError(`the Event Grid ${why}`, { cause: error });
  }
  return parseSecretValue(text);
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function issueLine(issue: z.core.$ZodIssue): string {
  return `${issue.path.join(".") || "claims"}: ${issue.message}`;
}
