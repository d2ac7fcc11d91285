/**
 * AWS IAM outbound identity federation: STS GetWebIdentityToken returns a JWT, signed by the
 * account's issuer (https://<id>.tokens.sts.global.api.aws), whose `sub` is the caller's role ARN
 * and whose `aud` is what we ask for. Entra (federated credential) and Google (workload identity
 * federation) both accept it in exchange for their own tokens, so no Azure or Google secret is kept.
 */
import { GetWebIdentityTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { WebIdentityTokenError } from "./errors.js";

/** RS256: the algorithm Entra documents for federated issuers; Google accepts it too (ES384 is STS's other choice). */
export const WEB_IDENTITY_SIGNING_ALGORITHM = "RS256";

/**
 * Five minutes (STS's default; it allows 60..3600). The token is exchanged at once, so a short
 * life costs nothing and limits a leaked one; an IAM policy can cap it with `sts:DurationSeconds`.
 */
export const WEB_IDENTITY_TOKEN_SECONDS = 300;

/** A cached token is replaced when less than this is left, so a receiver never gets one that expires mid-exchange. */
export const WEB_IDENTITY_REFRESH_MARGIN_SECONDS = 60;

export interface WebIdentityTokenOptions {
  /** The `aud` claim: what the receiver checks (Entra: api://AzureADTokenExchange; Google: the provider's URL). */
  readonly audience: string;
  /** Must be a regional STS client: GetWebIdentityToken is not served by the global endpoint (the SDK v3 default is regional). */
  readonly sts?: STSClient;
  /** The clock, in epoch milliseconds (tests). */
  readonly now?: () => number;
}

/** Returns a valid web identity token for one audience, calling STS only when the cached one is about to expire. */
export type WebIdentityTokenSource = () => Promise<string>;

export function webIdentityTokenSource(options: WebIdentityTokenOptions): WebIdentityTokenSource {
  const { audience } = options;
  const now = options.now ?? Date.now;
  let sts = options.sts;
  let cached: { readonly token: string; readonly refreshAt: number } | undefined;
  // Concurrent callers (several clients refreshing at once) share one STS call.
  let pending: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    sts ??= new STSClient({});
    const requestedAt = now();
    let output: { WebIdentityToken?: string | undefined; Expiration?: Date | undefined };
    try {
      output = await sts.send(
        new GetWebIdentityTokenCommand({
          Audience: [audience],
          SigningAlgorithm: WEB_IDENTITY_SIGNING_ALGORITHM,
          DurationSeconds: WEB_IDENTITY_TOKEN_SECONDS,
        }),
      );
    } catch (error) {
      throw new WebIdentityTokenError(audience, explain(error), { cause: error });
    }
    const token = output.WebIdentityToken;
    if (token === undefined || token === "") {
      throw new WebIdentityTokenError(audience, "STS GetWebIdentityToken returned no token");
    }
    // Without an Expiration, assume the lifetime asked for, counted from before the call.
    const expiresAt = output.Expiration?.getTime() ?? requestedAt + WEB_IDENTITY_TOKEN_SECONDS * 1000;
    cached = { token, refreshAt: expiresAt - WEB_IDENTITY_REFRESH_MARGIN_SECONDS * 1000 };
    return token;
  }

  return () => {
    if (cached !== undefined && now() < cached.refreshAt) return Promise.resolve(cached.token);
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

function explain(error: unknown): string {
  const name = error instanceof Error ? error.name : "unknown error";
  switch (name) {
    case "OutboundWebIdentityFederationDisabledException":
      return "outbound identity federation is not enabled in this AWS account (aws iam enable-outbound-web-identity-federation)";
    case "AccessDenied":
    case "AccessDeniedException":
      return "the caller is not allowed sts:GetWebIdentityToken for this audience, signing algorithm and duration";
    case "SessionDurationEscalationException":
      return `the caller's session ends within ${WEB_IDENTITY_TOKEN_SECONDS} s; the token would outlive it`;
    default:
      return `STS GetWebIdentityToken failed (${name})`;
  }
}
