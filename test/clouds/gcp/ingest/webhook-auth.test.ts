import { beforeAll, describe, expect, it } from "vitest";
import { pubSubAuthenticator } from "../../../../lib/clouds/gcp/ingest/webhook-auth.js";
import { KeySetUnavailableError, UnauthenticatedError } from "../../../../lib/ingest/errors.js";
import { credentialOf } from "../../../../lib/ingest/replay.js";
import { credentials, lifetime, NOW, NOW_SECONDS, type Signer, signer } from "../../../ingest/tokens.js";

const AUDIENCE = "https://abcdefgh.lambda-url.us-east-1.on.aws/";
const EMAIL = "segsync-push@my-project.iam.gserviceaccount.com";

let google: Signer;
let forger: Signer;
beforeAll(async () => {
  google = await signer();
  forger = await signer();
});

const authenticate = () => pubSubAuthenticator({ audience: AUDIENCE, email: EMAIL }, google.keys);

/**
 * The claims of the sample token in Google's push authentication docs (docs/clouds.md,
 * "GCP Pub/Sub push authentication"), for this deployment.
 */
const claims = (overrides: Record<string, unknown> = {}) => ({
  iss: "https://accounts.google.com",
  aud: AUDIENCE,
  azp: "113774264463038321964",
  sub: "113774264463038321964",
  email: EMAIL,
  email_verified: true,
  ...lifetime(),
  ...overrides,
});
const bearer = (token: string) => credentials({ Authorization: `Bearer ${token}` });

async function refusal(token: string): Promise<UnauthenticatedError> {
  const error = await authenticate()(bearer(token), NOW).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(UnauthenticatedError);
  return error as UnauthenticatedError;
}

describe("Pub/Sub push OIDC token", () => {
  it.each(["https://accounts.google.com", "accounts.google.com"])(
    "accepts a token from %s, expiring with the token",
    async (iss) => {
      const token = await google.sign(claims({ iss }));
      await expect(authenticate()(bearer(token), NOW)).resolves.toEqual(
        credentialOf(token, new Date((NOW_SECONDS + 3540) * 1000)),
      );
    },
  );

  it("compares the email without regard to case", async () => {
    const token = await google.sign(claims({ email: EMAIL.toUpperCase() }));
    await expect(authenticate()(bearer(token), NOW)).resolves.toBeDefined();
  });

  it.each([
    ["a token signed by another key", () => forger.sign(claims()), /signature verification failed/],
    ["a token for another audience", () => google.sign(claims({ aud: "https://example.com" })), /"aud"/],
    ["a token from another issuer", () => google.sign(claims({ iss: "https://evil.example" })), /"iss"/],
    [
      "an expired token",
      () => google.sign(claims({ iat: NOW_SECONDS - 7200, exp: NOW_SECONDS - 3600 })),
      /"exp" claim timestamp check failed/,
    ],
    [
      "a token issued over an hour ago, whatever its exp",
      () => google.sign(claims({ iat: NOW_SECONDS - 3 * 3600, exp: NOW_SECONDS + 3600 })),
      /"iat" claim timestamp check failed \(too far in the past\)/,
    ],
    ["a token without iat", () => google.sign(claims({ iat: undefined })), /missing required "iat"/],
    [
      "a token for another service account",
      () => google.sign(claims({ email: "someone@my-project.iam.gserviceaccount.com" })),
      /email someone@my-project\.iam\.gserviceaccount\.com is not the push service account/,
    ],
    [
      "a token whose email is not verified",
      () => google.sign(claims({ email_verified: false })),
      /email_verified is not true/,
    ],
    [
      "a token with email_verified as text",
      () => google.sign(claims({ email_verified: "true" })),
      /email_verified is not true/,
    ],
    ["a token without email", () => google.sign(claims({ email: undefined })), /no email/],
    ["a token with an unknown key id", () => google.sign(claims(), { kid: "other" }), /no applicable key/],
  ])("refuses %s", async (_name, token, why) => {
    const error = await refusal(await token());
    expect(error.status).toBe(401);
    expect(error.message).toMatch(why);
  });

  it.each([
    ["no Authorization header", {}],
    ["a token that is not Bearer", { authorization: "Token abc" }],
  ])("refuses %s", async (_name, headers) => {
    const error = await authenticate()(credentials(headers), NOW).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(UnauthenticatedError);
  });

  it("cannot verify while Google's key set is unreachable: 503-bound, not a refusal", async () => {
    const token = await google.sign(claims());
    const unreachable = pubSubAuthenticator({ audience: AUDIENCE, email: EMAIL }, async () => {
      throw new TypeError("fetch failed");
    });
    const error = await unreachable(bearer(token), NOW).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(KeySetUnavailableError);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });
});
