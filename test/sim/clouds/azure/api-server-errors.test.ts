import { beforeEach, describe, expect, it } from "vitest";
import { AzureApiError, AzureConflictError } from "../../../../lib/clouds/azure/errors.js";
import { toAzureError } from "../../../../lib/clouds/azure/sdk/errors.js";
import { SimulatedArm, SimulationInputError } from "../../../../sim/clouds/azure/api.js";
import { allow, newSim, OWNED, SUB } from "./fixtures.js";

/** Every call fails with a 5xx; `lost` is the share of writes that take effect first. */
const always = (lost: number, seed = 1) => ({ rate: 1, seed, lostResponseShare: lost });

const nsgInput = (name: string, rules = [allow("allow-https", 100)]) => ({
  resourceGroup: "rg-segsync",
  name,
  location: "eastus",
  tags: OWNED,
  securityRules: rules,
});

let sim: SimulatedArm;

beforeEach(() => {
  sim = newSim();
});

async function failure(promise: Promise<unknown>): Promise<AzureApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AzureApiError);
  return error as AzureApiError;
}

describe("server errors", () => {
  it("fail with ARM's 500 InternalServerError or 503 ServiceUnavailable, as sdk-errors.ts maps a RestError", async () => {
    sim.setServerErrors(always(0));
    const seen = new Map<number, AzureApiError>();
    for (let i = 0; i < 40; i += 1) {
      const error = await failure(sim.listNetworkSecurityGroups());
      seen.set(error.status, error);
    }
    expect([...seen.keys()].sort()).toEqual([500, 503]);
    for (const [status, code] of [
      [500, "InternalServerError"],
      [503, "ServiceUnavailable"],
    ] as const) {
      const error = seen.get(status) as AzureApiError;
      expect(error.code).toBe(code);
      // No class of its own: like a real 5xx once the client's retries are spent, a plain AzureApiError.
      expect(error.constructor).toBe(AzureApiError);
      const rest = Object.assign(new Error("An error occurred."), {
        name: "RestError",
        code,
        statusCode: status,
      });
      expect(error.cause).toMatchObject({ name: "RestError", code, statusCode: status });
      const real = toAzureError(rest, "NetworkSecurityGroups.list");
      expect([real.constructor, real.code, real.status]).toEqual([
        error.constructor,
        error.code,
        error.status,
      ]);
    }
  });

  it("before the call takes effect: nothing changes, and the log says so", async () => {
    sim.setServerErrors(always(0));
    const error = await failure(sim.putNetworkSecurityGroup(nsgInput("nsg")));
    sim.setServerErrors(undefined);
    expect(await sim.getNetworkSecurityGroup("rg-segsync", "nsg")).toBeUndefined();
    expect(sim.calls.map((c) => [c.method, c.outcome, c.injected])).toEqual([
      ["putNetworkSecurityGroup", error.code, "serverError"],
      ["getNetworkSecurityGroup", "ok", undefined],
    ]);
  });

  it("with the response lost: the write took effect, and a retry with the etag it had meets 412", async () => {
    const first = await sim.putNetworkSecurityGroup(nsgInput("nsg"));
    const update = {
      ...nsgInput("nsg", [allow("allow-https", 100), allow("allow-ssh", 110)]),
      ifMatch: first.etag as string,
    };
    sim.setServerErrors(always(1));
    await failure(sim.putNetworkSecurityGroup(update));
    sim.setServerErrors(undefined);
    const written = await sim.getNetworkSecurityGroup("rg-segsync", "nsg");
    expect(written?.securityRules.map((r) => r.name)).toEqual(["allow-https", "allow-ssh"]);
    expect(written?.etag).not.toBe(first.etag);
    const retry = await failure(sim.putNetworkSecurityGroup(update));
    expect(retry).toBeInstanceOf(AzureConflictError);
    expect([retry.code, retry.status]).toEqual(["PreconditionFailed", 412]);

    sim.setServerErrors(always(1));
    await failure(
      sim.putApplicationSecurityGroup({
        resourceGroup: "rg-segsync",
        name: "asg",
        location: "eastus",
        tags: OWNED,
      }),
    );
    await failure(sim.deleteNetworkSecurityGroup("rg-segsync", "nsg"));
    sim.setServerErrors(undefined);
    expect((await sim.listApplicationSecurityGroups()).map((a) => a.name)).toEqual(["asg"]);
    expect(await sim.getNetworkSecurityGroup("rg-segsync", "nsg")).toBeUndefined();
    expect(sim.calls.filter((c) => c.injected !== undefined).map((c) => [c.method, c.injected])).toEqual([
      ["putNetworkSecurityGroup", "lostResponse"],
      ["putApplicationSecurityGroup", "lostResponse"],
      ["deleteNetworkSecurityGroup", "lostResponse"],
    ]);
  });

  it("never lose a read's response: a read fails before it runs", async () => {
    sim.setServerErrors(always(1));
    await failure(sim.listVirtualMachines());
    expect(sim.calls[0]?.injected).toBe("serverError");
  });

  it("fail a seeded fraction of calls, in both flavours, the same calls for the same seed", async () => {
    const run = async (seed: number) => {
      const arm = SimulatedArm.empty(SUB, { serverErrors: { rate: 0.3, seed, lostResponseShare: 0.5 } });
      for (let i = 0; i < 200; i += 1) {
        await arm
          .putApplicationSecurityGroup({
            resourceGroup: "rg-segsync",
            name: `asg-${i}`,
            location: "eastus",
            tags: OWNED,
          })
          .catch(() => undefined);
      }
      arm.setServerErrors(undefined);
      const asgs = await arm.listApplicationSecurityGroups();
      return { calls: arm.calls.map((c) => `${c.outcome}/${c.injected ?? ""}`), asgs: asgs.length };
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
    expect(first.asgs).toBe(200 - before);
  });

  it("refuse a rate or share outside 0..1", () => {
    expect(() => sim.setServerErrors({ rate: -0.5, seed: 1 })).toThrow(SimulationInputError);
    expect(() => sim.setServerErrors({ rate: 0.5, seed: 1, lostResponseShare: 2 })).toThrow(
      SimulationInputError,
    );
  });
});
