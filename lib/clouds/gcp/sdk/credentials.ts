/**
 * The Google AuthClient for the configured `gcp.auth` (lib/clouds/gcp/config.ts), handed to the Compute
 * clients as `authClient`. `federated` is the keyless choice on Lambda: STS mints a JWT for the
 * workload identity pool provider, Google STS exchanges it for a federated access token, and, when
 * a service account is named, the IAM Credentials API turns that into the service account's token.
 *
 * google-auth-library is imported when a client is built, as lib/clouds/gcp/sdk/clients.ts does
 * with the Compute SDK, so that functions that never talk to Google do not load it.
 */
import { createPrivateKey } from "node:crypto";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { STSClient } from "@aws-sdk/client-sts";
import type { AuthClient } from "google-auth-library";
import { z } from "zod";
import { CredentialSecretError, GcpCredentialError } from "../../../live/errors.js";
import { readSecretString } from "../../../live/secrets.js";
import { webIdentityTokenSource } from "../../../live/web-identity-token.js";
import type { GcpAuth } from "../config.js";

const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
const JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt";
const IAM_CREDENTIALS_URL = "https://iamcredentials.googleapis.com";

export interface GcpAuthClientDeps {
  /** For `federated`: a regional STS client (default: one from the environment). */
  readonly sts?: STSClient;
  /** For `secret`: the client that reads the key (default: one from the environment). */
  readonly secrets?: SecretsManagerClient;
  /** Google STS's token exchange endpoint; default https://sts.googleapis.com/v1/token. */
  readonly tokenUrl?: string;
  /** The IAM Credentials API's base URL, for impersonation; default https://iamcredentials.googleapis.com. */
  readonly iamCredentialsUrl?: string;
}

export async function gcpAuthClient(auth: GcpAuth, deps: GcpAuthClientDeps = {}): Promise<AuthClient> {
  switch (auth.kind) {
    case "default":
      return defaultClient();
    case "federated":
      return federatedClient(auth, deps);
    case "secret":
      return keyClient(auth.secretArn, deps.secrets ?? new SecretsManagerClient({}));
  }
}

async function defaultClient(): Promise<AuthClient> {
  const { GoogleAuth } = await import("google-auth-library");
  try {
    return await new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] }).getClient();
  } catch (error) {
    throw new GcpCredentialError("no Google application default credentials were found", { cause: error });
  }
}

/**
 * The JWT's `aud`. A provider without "allowed audiences" accepts its own full resource name with
 * or without the `https:` prefix; STS is asked for the https:// URL (the form Google's OIDC setup
 * shows as the default audience), while Google STS's `audience` parameter stays the `//iam…` name.
 */
export function providerTokenAudience(providerAudience: string): string {
  return `https:${providerAudience}`;
}

async function federatedClient(
  auth: Extract<GcpAuth, { kind: "federated" }>,
  deps: GcpAuthClientDeps,
): Promise<AuthClient> {
  const { IdentityPoolClient } = await import("google-auth-library");
  // The library does not cache supplied subject tokens; the source does, until shortly before expiry.
  const subjectToken = webIdentityTokenSource({
    audience: providerTokenAudience(auth.audience),
    sts: deps.sts,
  });
  const impersonation =
    auth.serviceAccount === undefined
      ? {}
      : {
          service_account_impersonation_url: `${deps.iamCredentialsUrl ?? IAM_CREDENTIALS_URL}/v1/projects/-/serviceAccounts/${auth.serviceAccount}:generateAccessToken`,
        };
  try {
    return new IdentityPoolClient({
      type: "external_account",
      audience: auth.audience,
      subject_token_type: JWT_TOKEN_TYPE,
      subject_token_supplier: { getSubjectToken: () => subjectToken() },
      scopes: [CLOUD_PLATFORM_SCOPE],
      ...(deps.tokenUrl === undefined ? {} : { token_url: deps.tokenUrl }),
      ...impersonation,
    });
  } catch (error) {
    throw new GcpCredentialError(`workload identity federation for ${auth.audience} is misconfigured`, {
      cause: error,
    });
  }
}

/** The fields of a service account key that a JWT client needs; the rest of the file is ignored. */
const ServiceAccountKeySchema = z.object({
  type: z.literal("service_account"),
  client_email: z.email(),
  private_key: z.string().startsWith("-----BEGIN PRIVATE KEY-----"),
  private_key_id: z.string().min(1).optional(),
});

async function keyClient(secretArn: string, secrets: SecretsManagerClient): Promise<AuthClient> {
  const key = parseServiceAccountKey(secretArn, await readSecretString(secrets, secretArn));
  const { JWT } = await import("google-auth-library");
  return new JWT({
    email: key.client_email,
    key: key.private_key,
    ...(key.private_key_id === undefined ? {} : { keyId: key.private_key_id }),
    scopes: [CLOUD_PLATFORM_SCOPE],
  });
}

/**
 * Neither JSON.parse's message (which quotes the text) nor the zod error (which may hold values)
 * is kept as `cause`: the text is a private key. Zod's messages name the field, not its value.
 */
function parseServiceAccountKey(secretArn: string, text: string): z.infer<typeof ServiceAccountKeySchema> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CredentialSecretError(secretArn, "is not JSON; it must hold a service account key file");
  }
  const parsed = ServiceAccountKeySchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    throw new CredentialSecretError(secretArn, `is not a service account key: ${issues.join("; ")}`);
  }
  try {
    createPrivateKey(parsed.data.private_key);
  } catch {
    throw new CredentialSecretError(
      secretArn,
      "is not a service account key: private_key is not a valid PEM key",
    );
  }
  return parsed.data;
}
