import "aws-sdk-client-mock-vitest/extend";
import {
  GetWebIdentityTokenCommand,
  OutboundWebIdentityFederationDisabledException,
  STSClient,
  STSServiceException,
} from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { WebIdentityTokenError } from "../../lib/live/errors.js";
import { webIdentityTokenSource } from "../../lib/live/web-identity-token.js";

const AUDIENCE = "api://AzureADTokenExchange";
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

const stsMock = mockClient(STSClient);
beforeEach(() => {
  stsMock.reset();
});

function tokenValidFor(token: string, from: number, seconds = 300) {
  return { WebIdentityToken: token, Expiration: new Date(from + seconds * 1000) };
}

/** A source with a clock the test moves. */
function source() {
  const clock = { now: T0 };
  const sts = new STSClient({ region: "eu-west-1" });
  return { clock, token: webIdentityTokenSource({ audience: AUDIENCE, sts, now: () => clock.now }) };
}

describe("webIdentityTokenSource", () => {
  it("asks STS for an RS256 token of five minutes for exactly the audience", async () => {
    stsMock.on(GetWebIdentityTokenCommand).resolves(tokenValidFor("jwt-1", T0));
    const { token } = source();
    await expect(token()).resolves.toBe("jwt-1");
    expect(stsMock).toHaveReceivedCommandExactlyOnceWith(GetWebIdentityTokenCommand, {
      Audience: [AUDIENCE],
      SigningAlgorithm: "RS256",
      DurationSeconds: 300,
    });
    // Nothing else in the request: no tags or scope that a receiver might not expect.
    expect(
      Object.keys(stsMock.commandCalls(GetWebIdentityTokenCommand)[0]?.args[0].input ?? {}).sort(),
    ).toEqual(["Audience", "DurationSeconds", "SigningAlgorithm"]);
  });

  it("keeps the token until a minute before it expires, then fetches a new one", async () => {
    stsMock
      .on(GetWebIdentityTokenCommand)
      .resolvesOnce(tokenValidFor("jwt-1", T0))
      .resolvesOnce(tokenValidFor("jwt-2", T0 + 240_000));
    const { clock, token } = source();
    await expect(token()).resolves.toBe("jwt-1");
    clock.now = T0 + 239_999; // 60.001 s left
    await expect(token()).resolves.toBe("jwt-1");
    expect(stsMock).toHaveReceivedCommandTimes(GetWebIdentityTokenCommand, 1);
    clock.now = T0 + 240_000; // 60 s left: too little for a receiver that is slow to check it
    await expect(token()).resolves.toBe("jwt-2");
    expect(stsMock).toHaveReceivedCommandTimes(GetWebIdentityTokenCommand, 2);
    clock.now = T0 + 400_000; // jwt-1 has expired, jwt-2 has 140 s left
    await expect(token()).resolves.toBe("jwt-2");
    expect(stsMock).toHaveReceivedCommandTimes(GetWebIdentityTokenCommand, 2);
  });

  it("follows the Expiration STS returns, not the duration it asked for", async () => {
    stsMock
      .on(GetWebIdentityTokenCommand)
      .resolvesOnce(tokenValidFor("short", T0, 90))
      .resolvesOnce(tokenValidFor("next", T0 + 30_000));
    const { clock, token } = source();
    await expect(token()).resolves.toBe("short");
    clock.now = T0 + 30_000; // 60 s left of 90
    await expect(token()).resolves.toBe("next");
  });

  it("counts the requested lifetime from before the call when STS gives no Expiration", async () => {
    stsMock
      .on(GetWebIdentityTokenCommand)
      .resolvesOnce({ WebIdentityToken: "jwt-1" })
      .resolvesOnce({ WebIdentityToken: "jwt-2" });
    const { clock, token } = source();
    await token();
    clock.now = T0 + 239_999;
    await expect(token()).resolves.toBe("jwt-1");
    clock.now = T0 + 240_000;
    await expect(token()).resolves.toBe("jwt-2");
  });

  it("makes one STS call for concurrent callers", async () => {
    stsMock.on(GetWebIdentityTokenCommand).resolves(tokenValidFor("jwt-1", T0));
    const { token } = source();
    await expect(Promise.all([token(), token(), token()])).resolves.toEqual(["jwt-1", "jwt-1", "jwt-1"]);
    expect(stsMock).toHaveReceivedCommandTimes(GetWebIdentityTokenCommand, 1);
  });

  it("explains a disabled outbound federation, keeps the cause, and tries again on the next call", async () => {
    const disabled = new OutboundWebIdentityFederationDisabledException({
      message: "Outbound web identity federation is disabled",
      $metadata: {},
    });
    stsMock.on(GetWebIdentityTokenCommand).rejectsOnce(disabled).resolvesOnce(tokenValidFor("jwt-1", T0));
    const { token } = source();
    const error = await token().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebIdentityTokenError);
    expect(error).toMatchObject({ audience: AUDIENCE, cause: disabled });
    expect((error as Error).message).toBe(
      `web identity token for audience ${AUDIENCE}: outbound identity federation is not enabled in this AWS account (aws iam enable-outbound-web-identity-federation)`,
    );
    await expect(token()).resolves.toBe("jwt-1");
  });

  it("names a missing permission", async () => {
    stsMock
      .on(GetWebIdentityTokenCommand)
      .rejects(
        new STSServiceException({ name: "AccessDenied", $fault: "client", $metadata: {}, message: "no" }),
      );
    const { token } = source();
    await expect(token()).rejects.toThrow(/not allowed sts:GetWebIdentityToken/);
  });

  it("rejects an answer without a token", async () => {
    stsMock.on(GetWebIdentityTokenCommand).resolves({ Expiration: new Date(T0 + 300_000) });
    const { token } = source();
    await expect(token()).rejects.toThrow(
      new WebIdentityTokenError(AUDIENCE, "STS GetWebIdentityToken returned no token"),
    );
  });
});
