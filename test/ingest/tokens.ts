/** RSA signing keys and JWTs for the webhook authentication tests, verified through a local JWKS. */
import {
  type CryptoKey,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWTPayload,
  type JWTVerifyGetKey,
  SignJWT,
} from "jose";

/** The tests' "now": tokens are issued a minute before it. */
export const NOW = new Date("2026-06-25T05:00:00Z");
export const NOW_SECONDS = NOW.getTime() / 1000;
export const KID = "test-key-1";

export interface Signer {
  /** The public half, as the verifier sees it. */
  readonly keys: JWTVerifyGetKey;
  sign(claims: JWTPayload, options?: { kid?: string; alg?: string }): Promise<string>;
}

export async function signer(kid = KID): Promise<Signer> {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  return {
    keys: createLocalJWKSet({ keys: [jwk] }),
    sign: (claims, options) =>
      sign(privateKey, claims, { kid: options?.kid ?? kid, alg: options?.alg ?? "RS256" }),
  };
}

function sign(key: CryptoKey, claims: JWTPayload, header: { kid: string; alg: string }): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ ...header, typ: "JWT" }).sign(key);
}

/** iat a minute ago, exp in 59 minutes: a fresh one-hour token. */
export function lifetime(iatOffsetSeconds = -60, lengthSeconds = 3600): { iat: number; exp: number } {
  const iat = NOW_SECONDS + iatOffsetSeconds;
  return { iat, exp: iat + lengthSeconds };
}

/** Headers and query as authenticators read them (the Function URL request view). */
export function credentials(
  headers: Record<string, string> = {},
  query: Record<string, string> = {},
): { header(name: string): string | undefined; query(name: string): string | undefined } {
  const lower = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return { header: (name) => lower.get(name.toLowerCase()), query: (name) => query[name] };
}
