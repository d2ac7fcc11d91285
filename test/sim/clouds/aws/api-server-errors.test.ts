import { beforeEach, describe, expect, it } from "vitest";
import {
  AwsApiError,
  AwsInvalidRequestError,
  PrefixListVersionConflictError,
} from "../../../../lib/clouds/aws/errors.js";
import { toAwsError } from "../../../../lib/clouds/aws/sdk/errors.js";
import { SimulatedEc2, SimulationInputError } from "../../../../sim/clouds/aws/api.js";

const LOCATION = { account: "111111111111", region: "us-east-1" };
const VPC = "vpc-0a1b2c3d";
const OWNED_TAGS = [{ Key: "segsync:managed", Value: "true" }];
const RUNNING = [{ Name: "instance-state-name", Values: ["running"] }];

/** Every call fails with a 5xx; `lost` is the share of writes that take effect first. */
const always = (lost: number, seed = 1) => ({ rate: 1, seed, lostResponseShare: lost });

let sim: SimulatedEc2;

beforeEach(() => {
  sim = SimulatedEc2.empty(LOCATION);
  sim.addVpc(VPC);
});

function newGroup(name: string) {
  return sim.createSecurityGroup({ vpcId: VPC, groupName: name, description: name, tags: OWNED_TAGS });
}

async function failure(promise: Promise<unknown>): Promise<AwsApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AwsApiError);
  return error as AwsApiError;
}

async function groupNamed(name: string) {
  return (await sim.describeSecurityGroups([{ Name: "group-name", Values: [name] }]))[0];
}

describe("server errors", () => {
  it("fail with EC2's InternalError (500) or Unavailable (503), as sdk-errors.ts maps the SDK's exception", async () => {
    sim.setServerErrors(always(0));
    const seen = new Map<string, AwsApiError>();
    for (let i = 0; i < 40; i += 1) {
      const error = await failure(sim.describeInstances(RUNNING));
      seen.set(error.code, error);
    }
    expect([...seen.keys()].sort()).toEqual(["InternalError", "Unavailable"]);
    for (const [code, status] of [
      ["InternalError", 500],
      ["Unavailable", 503],
    ] as const) {
      const error = seen.get(code) as AwsApiError;
      // No class of its own: like a real 5xx after the SDK's retries, a plain AwsApiError.
      expect(error.constructor).toBe(AwsApiError);
      expect(error.cause).toMatchObject({
        name: code,
        $fault: "server",
        $metadata: { httpStatusCode: status },
      });
      const real = toAwsError(
        Object.assign(new Error(error.message), {
          name: code,
          $fault: "server",
          $metadata: { httpStatusCode: status },
        }),
        "DescribeInstances",
      );
      expect(real.constructor).toBe(error.constructor);
      expect(real.code).toBe(error.code);
    }
  });

  it("before the call takes effect: nothing changes, and the log says so", async () => {
    sim.setServerErrors(always(0));
    const error = await failure(newGroup("web"));
    sim.setServerErrors(undefined);
    expect(await groupNamed("web")).toBeUndefined();
    expect(sim.calls.map((c) => [c.method, c.outcome, c.injected])).toEqual([
      ["createSecurityGroup", error.code, "serverError"],
      ["describeSecurityGroups", "ok", undefined],
    ]);
  });

  it("with the response lost: the write took effect, and a retry meets Duplicate, NotFound or a stale version", async () => {
    sim.setServerErrors(always(1));
    const created = await failure(newGroup("web"));
    expect(["InternalError", "Unavailable"]).toContain(created.code);
    sim.setServerErrors(undefined);
    const group = await groupNamed("web");
    expect(group?.Tags).toEqual(OWNED_TAGS);
    const duplicate = await failure(newGroup("web"));
    expect(duplicate).toBeInstanceOf(AwsInvalidRequestError);
    expect(duplicate.code).toBe("InvalidGroup.Duplicate");

    const { prefixListId } = await sim.createManagedPrefixList({
      name: "peers",
      addressFamily: "IPv4",
      maxEntries: 5,
      entries: [{ Cidr: "10.0.0.0/24" }],
      tags: OWNED_TAGS,
    });
    const modify = {
      prefixListId,
      currentVersion: 1,
      addEntries: [{ Cidr: "10.0.1.0/24" }],
      removeCidrs: [],
    };
    sim.setServerErrors(always(1));
    await failure(sim.modifyManagedPrefixList(modify));
    await failure(sim.deleteSecurityGroup(group?.GroupId as string));
    sim.setServerErrors(undefined);
    expect(await sim.getManagedPrefixListEntries(prefixListId)).toHaveLength(2);
    expect((await failure(sim.modifyManagedPrefixList(modify))).constructor).toBe(
      PrefixListVersionConflictError,
    );
    // The delete took effect: the retry finds the group gone, which the port takes as success.
    await expect(sim.deleteSecurityGroup(group?.GroupId as string)).resolves.toBeUndefined();
    expect(
      await sim.describeSecurityGroups([{ Name: "group-id", Values: [group?.GroupId as string] }]),
    ).toEqual([]);
    expect(sim.calls.filter((c) => c.injected !== undefined).map((c) => [c.method, c.injected])).toEqual([
      ["createSecurityGroup", "lostResponse"],
      ["modifyManagedPrefixList", "lostResponse"],
      ["deleteSecurityGroup", "lostResponse"],
    ]);
  });

  it("never lose a read's response: a read fails before it runs", async () => {
    sim.setServerErrors(always(1));
    await failure(sim.describeSecurityGroups([{ Name: "vpc-id", Values: [VPC] }]));
    expect(sim.calls[0]?.injected).toBe("serverError");
  });

  it("fail a seeded fraction of calls, in both flavours, the same calls for the same seed", async () => {
    const run = async (seed: number) => {
      const ec2 = SimulatedEc2.empty(LOCATION, { serverErrors: { rate: 0.3, seed, lostResponseShare: 0.5 } });
      ec2.addVpc(VPC);
      for (let i = 0; i < 200; i += 1) {
        await ec2
          .createSecurityGroup({ vpcId: VPC, groupName: `g${i}`, description: "g", tags: OWNED_TAGS })
          .catch(() => undefined);
      }
      ec2.setServerErrors(undefined);
      const groups = await ec2.describeSecurityGroups([{ Name: "vpc-id", Values: [VPC] }]);
      return { calls: ec2.calls.map((c) => `${c.outcome}/${c.injected ?? ""}`), groups: groups.length };
    };
    const first = await run(42);
    expect(await run(42)).toEqual(first);
    expect((await run(43)).calls).not.toEqual(first.calls);
    const writes = first.calls.slice(0, 200);
    const count = (outcome: string) => writes.filter((c) => c === outcome).length;
    const lost = count("InternalError/lostResponse") + count("Unavailable/lostResponse");
    const before = count("InternalError/serverError") + count("Unavailable/serverError");
    expect(lost + before).toBeGreaterThan(40);
    expect(lost + before).toBeLessThan(80);
    expect(lost).toBeGreaterThan(15);
    expect(before).toBeGreaterThan(15);
    // The groups are those created cleanly and those whose response was lost: 200 minus the failed-before.
    expect(first.groups).toBe(200 - before);
  });

  it("refuse a rate or share outside 0..1", () => {
    expect(() => sim.setServerErrors({ rate: 1.5, seed: 1 })).toThrow(SimulationInputError);
    expect(() => sim.setServerErrors({ rate: 0.5, seed: 1, lostResponseShare: -1 })).toThrow(
      "lostResponseShare must be within 0 and 1, got -1",
    );
  });
});
