import { describe, expect, it } from "vitest";
import { RecordKeyError } from "../../../lib/clouds/common/errors.js";
import { DeferredRecordKey, RecordKey, SEAL_LENGTH } from "../../../lib/clouds/common/seals.js";

const KEY = RecordKey.fromText("k".repeat(32), "test");
const OTHER = RecordKey.fromText("o".repeat(32), "test");

describe("RecordKey", () => {
  it("seals a subject as 40 lowercase hex characters, the same every time", () => {
    const seal = KEY.seal("aws|security-group|111111111111|us-east-1|vpc-1|segsync-a");
    expect(seal).toMatch(new RegExp(`^[0-9a-f]{${SEAL_LENGTH}}$`));
    expect(KEY.seal("aws|security-group|111111111111|us-east-1|vpc-1|segsync-a")).toBe(seal);
  });

  it("verifies only its own seal of exactly that subject", () => {
    const subject =
      "azure|resource|/subscriptions/x/resourcegroups/rg/providers/microsoft.network/networksecuritygroups/segsync-a";
    const seal = KEY.seal(subject);
    expect(KEY.verify(subject, seal)).toBe(true);
    expect(KEY.verify(`${subject}b`, seal)).toBe(false);
    expect(OTHER.verify(subject, seal)).toBe(false);
    expect(KEY.verify(subject, seal.toUpperCase())).toBe(false);
    expect(KEY.verify(subject, seal.slice(0, -1))).toBe(false);
    expect(KEY.verify(subject, undefined)).toBe(false);
    expect(KEY.verify(subject, "")).toBe(false);
  });

  it("refuses a short key and names where it came from, never its value", () => {
    const attempt = () => RecordKey.fromText("short-secret", "environment variable SEGSYNC_RECORD_KEY");
    expect(attempt).toThrow(RecordKeyError);
    expect(attempt).toThrow(
      /SEGSYNC_RECORD_KEY: a record key has at least 32 characters \(this one has 12\)/,
    );
    expect(attempt).not.toThrow(/short-secret/);
  });
});

describe("DeferredRecordKey", () => {
  it("refuses to seal before it is loaded, then seals as the key it loaded", async () => {
    const deferred = new DeferredRecordKey(async () => KEY);
    expect(() => deferred.seal("x")).toThrow(/used before it was loaded/);
    await deferred.load();
    expect(deferred.seal("x")).toBe(KEY.seal("x"));
    expect(deferred.verify("x", KEY.seal("x"))).toBe(true);
  });

  it("loads again after a failed load", async () => {
    let calls = 0;
    const deferred = new DeferredRecordKey(async () => {
      calls++;
      if (calls === 1) throw new Error("secret unreachable");
      return KEY;
    });
    await expect(deferred.load()).rejects.toThrow("secret unreachable");
    await deferred.load();
    expect(deferred.seal("x")).toBe(KEY.seal("x"));
    expect(calls).toBe(2);
  });
});
