import { beforeEach, describe, expect, it } from "vitest";
import {
  GcpAlreadyExistsError,
  GcpApiError,
  GcpConflictError,
  GcpNotFoundError,
} from "../../../../lib/clouds/gcp/errors.js";
import { type GcpFirewall, networkUrl } from "../../../../lib/clouds/gcp/model.js";
import { toGcpError } from "../../../../lib/clouds/gcp/sdk/errors.js";
import { SimulatedCompute, SimulationInputError } from "../../../../sim/clouds/gcp/api.js";

const PROJECT = "shop-prod";
const ZONE = "us-central1-a";

/** Every call fails with a 5xx; `lost` is the share of writes that take effect first. */
const always = (lost: number, seed = 1) => ({ rate: 1, seed, lostResponseShare: lost });

function rule(name: string, fields: Partial<GcpFirewall> = {}): GcpFirewall {
  return {
    name,
    network: networkUrl(PROJECT, "prod-net"),
    priority: 900,
    direction: "INGRESS",
    sourceRanges: ["10.3.0.0/24"],
    targetTags: ["segsync-web"],
    allowed: [{ IPProtocol: "tcp", ports: ["443"] }],
    ...fields,
  };
}

let sim: SimulatedCompute;

beforeEach(() => {
  sim = SimulatedCompute.empty(PROJECT);
  sim.createNetwork({ name: "prod-net" });
});

async function failure(promise: Promise<unknown>): Promise<GcpApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GcpApiError);
  return error as GcpApiError;
}

async function fingerprint(): Promise<string> {
  return (await sim.getInstance(ZONE, "web-1"))?.tags.fingerprint as string;
}

describe("server errors", () => {
  it("fail with Compute's 503 backendError or 500 internalError, as sdk-errors.ts maps the REST error", async () => {
    sim.setServerErrors(always(0));
    const seen = new Map<number, GcpApiError>();
    for (let i = 0; i < 40; i += 1) {
      const error = await failure(sim.listFirewalls());
      seen.set(error.status, error);
    }
    expect([...seen.keys()].sort()).toEqual([500, 503]);
    for (const [status, reason] of [
      [500, "internalError"],
      [503, "backendError"],
    ] as const) {
      const error = seen.get(status) as GcpApiError;
      expect(error.code).toBe(reason);
      // No class of its own: like a real 5xx, a plain GcpApiError (sdk-retry.ts retries only throttling).
      expect(error.constructor).toBe(GcpApiError);
      // The error as the REST transport throws it: the status, and the JSON body as the message.
      const body = {
        error: { code: status, message: "Internal error.", errors: [{ reason, domain: "global" }] },
      };
      const real = toGcpError(
        Object.assign(new Error(JSON.stringify(body)), { status, code: status }),
        "firewalls.list",
      );
      expect([real.constructor, real.code, real.status]).toEqual([
        error.constructor,
        error.code,
        error.status,
      ]);
    }
  });

  it("before the call takes effect: nothing changes, and the log says so", async () => {
    sim.setServerErrors(always(0));
    const error = await failure(sim.insertFirewall(rule("segsync-a")));
    sim.setServerErrors(undefined);
    expect(await sim.listFirewalls()).toEqual([]);
    expect(sim.calls.map((c) => [c.method, c.outcome, c.injected])).toEqual([
      ["insertFirewall", error.code, "serverError"],
      ["listFirewalls", "ok", undefined],
    ]);
  });

  it("with the response lost: the write took effect, and a retry meets alreadyExists, a stale fingerprint or notFound", async () => {
    sim.createInstance({
      zone: ZONE,
      name: "web-1",
      network: "prod-net",
      networkIP: "10.3.0.11",
      labels: {},
    });
    sim.setServerErrors(always(1));
    await failure(sim.insertFirewall(rule("segsync-a")));
    sim.setServerErrors(undefined);
    expect((await sim.listFirewalls()).map((f) => f.name)).toEqual(["segsync-a"]);
    const exists = await failure(sim.insertFirewall(rule("segsync-a")));
    expect(exists).toBeInstanceOf(GcpAlreadyExistsError);
    expect([exists.code, exists.status]).toEqual(["alreadyExists", 409]);

    const stale = await fingerprint();
    sim.setServerErrors(always(1));
    await failure(sim.setTags(ZONE, "web-1", ["segsync-web"], stale));
    await failure(sim.deleteFirewall("segsync-a"));
    sim.setServerErrors(undefined);
    expect((await sim.getInstance(ZONE, "web-1"))?.tags.items).toEqual(["segsync-web"]);
    const conflict = await failure(sim.setTags(ZONE, "web-1", ["segsync-web"], stale));
    expect(conflict).toBeInstanceOf(GcpConflictError);
    expect([conflict.code, conflict.status]).toEqual(["conditionNotMet", 412]);
    expect(await failure(sim.deleteFirewall("segsync-a"))).toBeInstanceOf(GcpNotFoundError);
    expect(sim.calls.filter((c) => c.injected !== undefined).map((c) => [c.method, c.injected])).toEqual([
      ["insertFirewall", "lostResponse"],
      ["setTags", "lostResponse"],
      ["deleteFirewall", "lostResponse"],
    ]);
  });

  it("never lose a read's response: a read fails before it runs", async () => {
    sim.setServerErrors(always(1));
    await failure(sim.listInstances());
    expect(sim.calls[0]?.injected).toBe("serverError");
  });

  it("fail a seeded fraction of calls, in both flavours, the same calls for the same seed", async () => {
    const run = async (seed: number) => {
      const compute = SimulatedCompute.empty(PROJECT, {
        serverErrors: { rate: 0.3, seed, lostResponseShare: 0.5 },
      });
      compute.createNetwork({ name: "prod-net" });
      for (let i = 0; i < 200; i += 1)
        await compute.insertFirewall(rule(`segsync-${i}`)).catch(() => undefined);
      compute.setServerErrors(undefined);
      const rules = await compute.listFirewalls();
      return { calls: compute.calls.map((c) => `${c.outcome}/${c.injected ?? ""}`), rules: rules.length };
    };
    const first = await run(42);
    expect(await run(42)).toEqual(first);
    expect((await run(43)).calls).not.toEqual(first.calls);
    const writes = first.calls.slice(0, 200);
    const count = (suffix: string) => writes.filter((c) => c.endsWith(suffix)).length;
    const [lost, before] = [count("/lostResponse"), count("/serverError")];
    expect(lost + before).toBeGreaterThan(40);
    expect(lost + before).toBeLessThan(80);
    expect(lost).toBeGreaterThan(15);
    expect(before).toBeGreaterThan(15);
    expect(first.rules).toBe(200 - before);
  });

  it("refuse a rate or share outside 0..1", () => {
    expect(() => sim.setServerErrors({ rate: Number.NaN, seed: 1 })).toThrow(SimulationInputError);
    expect(() => sim.setServerErrors({ rate: 0, seed: 1, lostResponseShare: 1.01 })).toThrow(
      SimulationInputError,
    );
  });
});
