import "aws-sdk-client-mock-vitest/extend";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { SignJWT } from "jose";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  EVENT_GRID_ROLE,
  entraAuthenticator,
  parseSecretValue,
  secretAuthenticator,
  secretsManagerSource,
} from "../../../../lib/clouds/azure/ingest/webhook-auth.js";
import {
  KeySetUnavailableError,
  SecretUnavailableError,
  UnauthenticatedError,
} from "../../../../lib/ingest/errors.js";
import { credentialOf } from "../../../../lib/ingest/replay.js";
import { credentials, KID, lifetime, NOW, NOW_SECONDS, type Signer, signer } from "../../../ingest/tokens.js";

const SECRET = "s3cr3t-0123456789abcdef";
const OPTIONS = { header: "x-segsync-secret", queryParameter: "code" };
const TENANT = "0b5e4c1a-2f3d-4e6b-8a9c-7d1e2f3a4b5c";
const AUDIENCE = "api://segsync-events";
const V1_ISSUER = `https://sts.windows.net/${TENANT}/`;
const V2_ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;

async function refusal(run: () => Promise<unknown>): Promise<UnauthenticatedError> {
  const error = await run().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(UnauthenticatedError);
  return error as UnauthenticatedError;
}

describe("Event Grid shared secret", () => {
  const authenticate = secretAuthenticator(OPTIONS, async () => [SECRET]);

  it("accepts the secret in the query parameter, keyed by its digest and never expiring", async () => {
    const credential = await authenticate(credentials({}, { code: SECRET }), NOW);
    expect(credential).toEqual(credentialOf(SECRET));
    expect(credential.fingerprint).not.toContain(SECRET);
    expect(credential.expiresAt).toBeUndefined();
  });

  it("accepts the secret in the header, whatever the header name's case", async () => {
    await expect(authenticate(credentials({ "X-Segsync-Secret": SECRET }), NOW)).resolves.toEqual(
      credentialOf(SECRET),
    );
  });

  it.each([
    ["a wrong secret of the same length", { code: SECRET.replace("s", "t") }],
    ["a prefix of the secret", { code: SECRET.slice(0, -1) }],
    ["the secret with more after it", { code: `${SECRET}x` }],
    ["an empty secret", { code: "" }],
  ])("refuses %s", async (_name, query) => {
    const error = await refusal(() => authenticate(credentials({}, query), NOW));
    expect(error.status).toBe(401);
    expect(error.message).not.toContain(SECRET);
  });

  it("refuses a request without any secret, naming where it looked", async () => {
    const error = await refusal(() => authenticate(credentials(), NOW));
    expect(error.message).toBe("no secret in the x-segsync-secret header or the code query parameter");
  });

  it("takes the header over the query, so a right query does not save a wrong header", async () => {
    await refusal(() =>
      authenticate(credentials({ "x-segsync-secret": "wrong-wrong-wrong-wrong" }, { code: SECRET }), NOW),
    );
  });

  it("accepts the previous secret too while rotating", async () => {
    const rotating = secretAuthenticator(OPTIONS, async () =>
      parseSecretValue(JSON.stringify({ current: "n".repeat(20), previous: SECRET })),
    );
    await expect(rotating(credentials({}, { code: SECRET }), NOW)).resolves.toEqual(credentialOf(SECRET));
    await expect(rotating(credentials({}, { code: "n".repeat(20) }), NOW)).resolves.toBeDefined();
  });
});

describe("the secret's value in Secrets Manager", () => {
  it("is the secret itself, or current and previous while rotating", () => {
    expect(parseSecretValue(SECRET)).toEqual([SECRET]);
    expect(parseSecretValue(JSON.stringify({ current: SECRET }))).toEqual([SECRET]);
    expect(parseSecretValue(JSON.stringify({ current: SECRET, previous: `${SECRET}-old` }))).toEqual([
      SECRET,
      `${SECRET}-old`,
    ]);
  });

  it("refuses a short secret and a JSON object of another shape", () => {
    expect(() => parseSecretValue("short")).toThrow(SecretUnavailableError);
    expect(() => parseSecretValue(JSON.stringify({ current: "short" }))).toThrow(/shorter than 16/);
    expect(() => parseSecretValue(JSON.stringify({ secret: SECRET }))).toThrow(/not \{"current"/);
  });
});

describe("the Secrets Manager source", () => {
  const secretsManager = mockClient(SecretsManagerClient);
  const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:segsync/eventgrid-AbCdEf";
  beforeEach(() => {
    secretsManager.reset();
  });

  it("reads the secret once and serves it from the cache until the cache expires", async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: SECRET });
    let now = NOW;
    const source = secretsManagerSource(new SecretsManagerClient({ region: "us-east-1" }), ARN, {
      cacheMs: 60_000,
      now: () => now,
    });
    await expect(source()).resolves.toEqual([SECRET]);
    await expect(source()).resolves.toEqual([SECRET]);
    expect(secretsManager).toHaveReceivedCommandExactlyOnceWith(GetSecretValueCommand, { SecretId: ARN });
    now = new Date(NOW.getTime() + 60_000);
    await source();
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it("reports a failed read as SecretUnavailableError with the cause, and reads again next time", async () => {
    const denied = new Error("AccessDeniedException");
    secretsManager.on(GetSecretValueCommand).rejectsOnce(denied).resolves({ SecretString: SECRET });
    const source = secretsManagerSource(new SecretsManagerClient({ region: "us-east-1" }), ARN);
    const error = await source().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(SecretUnavailableError);
    // The shared reader's error, which carries the SDK's.
    expect(((error as Error).cause as Error).cause).toBe(denied);
    expect((error as Error).message).toMatch(/^the Event Grid secret arn:.*: cannot be read/);
    await expect(source()).resolves.toEqual([SECRET]);
  });

  it("refuses a binary secret (no SecretString)", async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    const source = secretsManagerSource(new SecretsManagerClient({ region: "us-east-1" }), ARN);
    await expect(source()).rejects.toThrow(/has no SecretString/);
  });
});

describe("Entra ID token", () => {
  let entra: Signer;
  let forger: Signer;
  beforeAll(async () => {
    entra = await signer();
    forger = await signer();
  });

  const authenticate = () => entraAuthenticator({ tenantId: TENANT, audience: AUDIENCE }, entra.keys);
  const claims = (overrides: Record<string, unknown> = {}) => ({
    iss: V1_ISSUER,
    aud: AUDIENCE,
    tid: TENANT,
    roles: [EVENT_GRID_ROLE],
    nbf: NOW_SECONDS - 60,
    ...lifetime(),
    ...overrides,
  });
  const bearer = (token: string) => credentials({ Authorization: `Bearer ${token}` });

  it.each([
    ["v1", V1_ISSUER],
    ["v2", V2_ISSUER],
  ])("accepts a %s token with the role, expiring with the token", async (_version, iss) => {
    const token = await entra.sign(claims({ iss }));
    const credential = await authenticate()(bearer(token), NOW);
    expect(credential).toEqual(credentialOf(token, new Date((NOW_SECONDS + 3540) * 1000)));
  });

  it.each([
    ["a token signed by another key", () => forger.sign(claims()), /signature verification failed/],
    ["a token for another audience", () => entra.sign(claims({ aud: "api://someone-else" })), /"aud"/],
    [
      "a token from another tenant's issuer",
      () => entra.sign(claims({ iss: "https://sts.windows.net/11111111-2222-3333-4444-555555555555/" })),
      /"iss"/,
    ],
    [
      "a token from another issuer",
      () => entra.sign(claims({ iss: "https://accounts.google.com" })),
      /"iss"/,
    ],
    [
      "an expired token",
      () => entra.sign(claims({ iat: NOW_SECONDS - 7200, exp: NOW_SECONDS - 120 })),
      /"exp" claim timestamp check failed/,
    ],
    ["a token not valid yet", () => entra.sign(claims({ nbf: NOW_SECONDS + 600 })), /"nbf"/],
    ["a token without exp", () => entra.sign(claims({ exp: undefined })), /missing required "exp"/],
    ["a token without roles", () => entra.sign(claims({ roles: undefined })), /roles: missing/],
    [
      "a token with other roles only",
      () => entra.sign(claims({ roles: ["Reader"] })),
      /roles do not include/,
    ],
    [
      "a token of another tenant (tid)",
      () => entra.sign(claims({ tid: "11111111-2222-3333-4444-555555555555" })),
      /tid is 11111111/,
    ],
    ["a token with an unknown key id", () => entra.sign(claims(), { kid: "unknown" }), /no applicable key/],
    [
      "an HS256 token",
      () => new SignJWT(claims()).setProtectedHeader({ alg: "HS256", kid: KID }).sign(new Uint8Array(32)),
      /"alg" .* not allowed/,
    ],
    ["something that is not a JWT", async () => "not.a.jwt", /JWS Protected Header is invalid/],
  ])("refuses %s", async (_name, token, why) => {
    const error = await refusal(async () => authenticate()(bearer(await token()), NOW));
    expect(error.status).toBe(401);
    expect(error.message).toMatch(why);
    expect(error.publicMessage).toBe("the request is not authenticated");
  });

  it.each([
    ["no Authorization header", {}],
    ["a Basic Authorization header", { authorization: "Basic dXNlcjpwYXNz" }],
    ["an empty Bearer", { authorization: "Bearer " }],
  ])("refuses %s", async (_name, headers) => {
    await refusal(() => authenticate()(credentials(headers), NOW));
  });

  it("cannot verify while the key set is unreachable: 503-bound, not a refusal", async () => {
    const token = await entra.sign(claims());
    const unreachable = entraAuthenticator({ tenantId: TENANT, audience: AUDIENCE }, async () => {
      throw new TypeError("fetch failed");
    });
    await expect(unreachable(bearer(token), NOW)).rejects.toBeInstanceOf(KeySetUnavailableError);
  });
});
