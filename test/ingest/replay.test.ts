import { describe, expect, it } from "vitest";
import { ReplayedRequestError } from "../../lib/ingest/errors.js";
import { credentialOf, ReplayCache } from "../../lib/ingest/replay.js";

const NOW = new Date("2026-06-25T05:00:00Z");
const later = (ms: number) => new Date(NOW.getTime() + ms);
const token = credentialOf("token-a", later(10 * 60_000));
const otherToken = credentialOf("token-b", later(10 * 60_000));

describe("ReplayCache", () => {
  it("refuses the same credential with the same ids until the token expires", () => {
    const cache = new ReplayCache();
    cache.check(token, ["m1"], NOW);
    cache.remember(token, ["m1"], NOW);
    expect(() => cache.check(token, ["m1"], later(60_000))).toThrow(ReplayedRequestError);
    expect(() => cache.check(token, ["m1"], later(10 * 60_000))).not.toThrow();
  });

  it("accepts the same id with another credential, and another id with the same one", () => {
    const cache = new ReplayCache();
    cache.remember(token, ["m1"], NOW);
    expect(() => cache.check(otherToken, ["m1"], NOW)).not.toThrow();
    expect(() => cache.check(token, ["m2"], NOW)).not.toThrow();
  });

  it("refuses a batch only when every id was accepted before", () => {
    const cache = new ReplayCache();
    cache.remember(token, ["e1", "e2"], NOW);
    expect(() => cache.check(token, ["e2", "e1"], NOW)).toThrow(
      /already accepted with the same credential: e2, e1/,
    );
    expect(() => cache.check(token, ["e1", "e3"], NOW)).not.toThrow();
    expect(() => cache.check(token, [], NOW)).not.toThrow();
  });

  it("remembers a secret's requests for an hour", () => {
    const cache = new ReplayCache();
    const secret = credentialOf("a-shared-secret-value");
    cache.remember(secret, ["e1"], NOW);
    expect(() => cache.check(secret, ["e1"], later(59 * 60_000))).toThrow(ReplayedRequestError);
    expect(() => cache.check(secret, ["e1"], later(60 * 60_000))).not.toThrow();
  });

  it("does not remember anything for an already expired credential", () => {
    const cache = new ReplayCache();
    cache.remember(credentialOf("old", NOW), ["e1"], NOW);
    expect(cache.size).toBe(0);
  });

  it("stays within its bound, dropping expired entries first and then the oldest", () => {
    const cache = new ReplayCache({ maxEntries: 3 });
    const short = credentialOf("short", later(1_000));
    cache.remember(token, ["a"], NOW);
    cache.remember(short, ["b"], NOW);
    cache.remember(token, ["c"], NOW);
    // At 2 s the short-lived entry has expired: it goes, the others stay.
    cache.remember(token, ["d"], later(2_000));
    expect(cache.size).toBe(3);
    expect(() => cache.check(token, ["a"], later(2_000))).toThrow(ReplayedRequestError);
    // Nothing has expired now: the oldest ("a") goes.
    cache.remember(token, ["e"], later(2_000));
    expect(cache.size).toBe(3);
    expect(() => cache.check(token, ["a"], later(2_000))).not.toThrow();
    for (const id of ["c", "d", "e"]) expect(() => cache.check(token, [id], later(2_000))).toThrow();
  });

  it("keys on a digest of the credential, never the token itself", () => {
    const credential = credentialOf("eyJhbGciOiJSUzI1NiJ9.payload.signature");
    expect(credential.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });
});
