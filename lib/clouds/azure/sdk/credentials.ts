/**
 * The Azure TokenCredential for the configured `azure.auth` (lib/clouds/azure/config.ts). The reconciler
 * runs on Lambda, so `federated` is the keyless choice: STS mints a JWT for Entra's token-exchange
 * audience and Entra trades it, as a client assertion, for a token of the app registration whose
 * federated credential trusts this AWS account's issuer and role.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { STSClient } from "@aws-sdk/client-sts";
import {
  type AccessToken,
  type AuthorityValidationOptions,
  ClientAssertionCredential,
  ClientSecretCredential,
  DefaultAzureCredential,
  type GetTokenOptions,
  type TokenCredential,
  type TokenCredentialOptions,
} from "@azure/identity";
import { CredentialSecretError } from "../../../live/errors.js";
import { readSecretString } from "../../../live/secrets.js";
import { webIdentityTokenSource } from "../../../live/web-identity-token.js";
import type { AzureAuth } from "../config.js";

export interface AzureCredentialDeps {
  /** For `federated`: a regional STS client (default: one from the environment). */
  readonly sts?: STSClient;
  /** For `secret`: the client that reads the secret (default: one from the environment). */
  readonly secrets?: SecretsManagerClient;
  /** Entra's host for a sovereign cloud, e.g. https://login.microsoftonline.us; default: the public cloud. */
  readonly authorityHost?: string;
  /** Further @azure/identity options: proxy, retries, logging, pipeline policies, instance discovery. */
  readonly credentialOptions?: TokenCredentialOptions & AuthorityValidationOptions;
}

export function azureCredential(auth: AzureAuth, deps: AzureCredentialDeps = {}): TokenCredential {
  const options: TokenCredentialOptions & AuthorityValidationOptions = {
    ...deps.credentialOptions,
    ...(deps.authorityHost === undefined ? {} : { authorityHost: deps.authorityHost }),
  };
  switch (auth.kind) {
    case "default":
      return new DefaultAzureCredential(options);
    case "federated": {
      // The credential calls this whenever Entra's access token needs renewing; the source keeps
      // the STS token until shortly before it expires.
      const assertion = webIdentityTokenSource({ audience: auth.audience, sts: deps.sts });
      return new ClientAssertionCredential(auth.tenantId, auth.clientId, assertion, options);
    }
    case "secret":
      return new SecretManagedClientCredential(auth, deps.secrets, options);
  }
}

/**
 * A ClientSecretCredential whose secret is read from Secrets Manager on the first token request,
 * not at construction, so that building the credential costs no call and a CLI run that never
 * reaches Azure never reads the secret. A failed read is not cached: the next request tries again.
 */
class SecretManagedClientCredential implements TokenCredential {
  #credential: Promise<ClientSecretCredential> | undefined;

  constructor(
    private readonly auth: Extract<AzureAuth, { kind: "secret" }>,
    private secrets: SecretsManagerClient | undefined,
    private readonly options: TokenCredentialOptions & AuthorityValidationOptions,
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    this.#credential ??= this.load().catch((error: unknown) => {
      this.#credential = undefined;
      throw error;
    });
    return (await this.#credential).getToken(scopes, options);
  }

  private async load(): Promise<ClientSecretCredential> {
    this.secrets ??= new SecretsManagerClient({});
    const { secretArn, tenantId, clientId } = this.auth;
    // Trimmed: a secret stored from a file often ends in a newline.
    const secret = (await readSecretString(this.secrets, secretArn)).trim();
    // A JSON document is the usual mistake (a key/value secret from the console); Entra would
    // answer only "invalid client secret".
    if (secret.startsWith("{")) {
      throw new CredentialSecretError(
        secretArn,
        "holds JSON; its SecretString must be the client secret itself",
      );
    }
    return new ClientSecretCredential(tenantId, clientId, secret, this.options);
  }
}
