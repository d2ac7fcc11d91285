/**
 * The driver keeps nothing between calls: a plan is made from the read it is given, and applied
 * only by the driver that made it.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_AWS_QUOTAS } from "../../lib/clouds/aws/config.js";
import { compile } from "../../lib/compile/compile.js";
import { cloudDriver } from "../../lib/reconcile/driver.js";
import { ReconcileError } from "../../lib/reconcile/errors.js";
import { AwsTestbed } from "../clouds/aws/harness.js";
import { AWS_VPC, designPolicy, workload } from "../compile/fixtures.js";
import { testProviders } from "../support/providers.js";

const EAST = { account: "111111111111", region: "us-east-1" };
const WEST = { account: "111111111111", region: "us-west-2" };
const WEST_VPC = "aws:111111111111:us-west-2:vpc-0b1b2c3d";
const shop = { app: "shop", env: "prod" };
const web = workload(
  "aws:111111111111:us-east-1:i-0a00000000000001",
  { network: AWS_VPC, privateIp: "10.1.0.11", publicIp: "54.0.0.11" },
  { ...shop, role: "web" },
);
const api = workload(
  "aws:111111111111:us-east-1:i-0a00000000000002",
  { network: AWS_VPC, privateIp: "10.1.0.12", publicIp: "54.0.0.12" },
  { ...shop, role: "api" },
);
const db = workload(
  "aws:111111111111:us-west-2:i-0b00000000000003",
  { network: WEST_VPC, privateIp: "10.9.0.13", publicIp: "54.0.0.13" },
  { ...shop, role: "db" },
);
const policy = designPolicy({ networks: { connected: [], nat: {} } });

function setup() {
  const aws = new AwsTestbed([web, api, db], DEFAULT_AWS_QUOTAS);
  const providers = testProviders();
  const connection = { apiFor: (l: typeof EAST) => aws.sim(l), locations: [EAST, WEST] };
  const driver = () => cloudDriver(providers.aws, connection);
  return { aws, driver };
}

const placesOf = (plan: { readonly places: readonly string[] }) => [...new Set(plan.places)].sort();

describe("cloudDriver: the read is a value", () => {
  it("plans from the read it is given, whatever the driver read since, and applies that plan", async () => {
    const { driver: make } = setup();
    const driver = make();
    const whole = await driver.discover(policy.labels);
    const intent = compile(policy, { workloads: whole.workloads, networks: whole.networks });
    // A read of the east region only comes after the whole read.
    const east = await driver.discover(policy.labels, { networks: [AWS_VPC], workloads: [] });
    const fromEast = driver.plan(east, intent, policy);
    const fromWhole = driver.plan(whole, intent, policy);
    expect(placesOf(fromEast)).toHaveLength(1);
    expect(placesOf(fromWhole)).toHaveLength(2);
    expect(placesOf(fromWhole)).toEqual(expect.arrayContaining(placesOf(fromEast)));

    const applied: number[] = [];
    await driver.apply(fromWhole, new Set(), (index) => applied.push(index));
    // The two regions are written concurrently: every operation once, each region in its order.
    expect([...applied].sort((a, b) => a - b)).toEqual(fromWhole.operations.map((_, index) => index));
    // Both regions were written: a new read of the whole account has nothing left to plan.
    const after = await driver.discover(policy.labels);
    expect(driver.plan(after, intent, policy).operations).toEqual([]);
  });

  it("refuses to plan from another driver's read, and to apply another driver's plan, writing nothing", async () => {
    const { aws, driver: make } = setup();
    const driver = make();
    const other = make();
    const read = await driver.discover(policy.labels);
    const intent = compile(policy, { workloads: read.workloads, networks: read.networks });
    const plan = driver.plan(read, intent, policy);
    expect(plan.operations.length).toBeGreaterThan(0);

    expect(() => other.plan(read, intent, policy)).toThrow(ReconcileError);
    expect(() => other.plan(read, intent, policy)).toThrow("aws: asked to plan from a read it did not make");
    const applied: number[] = [];
    await expect(other.apply(plan, new Set(), (index) => applied.push(index))).rejects.toThrow(
      new ReconcileError("aws: asked to apply a plan it did not make"),
    );
    expect(applied).toEqual([]);
    expect(aws.writes()).toBe(0);
  });
});

describe("cloudDriver: places written concurrently", () => {
  async function planBothRegions() {
    const { aws, driver: make } = setup();
    const driver = make();
    const read = await driver.discover(policy.labels);
    const intent = compile(policy, { workloads: read.workloads, networks: read.networks });
    const plan = driver.plan(read, intent, policy);
    expect(placesOf(plan)).toHaveLength(2);
    return { aws, driver, plan };
  }

  it("writes each region in its plan order, and one region's slow write does not hold the other back", async () => {
    const { aws, plan: planned } = await planBothRegions();
    // West's writes wait until every east operation is applied: written one after the other, the
    // plan (whose order mixes the regions) would wait forever.
    let eastDone: () => void = () => undefined;
    const eastApplied = new Promise<void>((resolve) => {
      eastDone = resolve;
    });
    const west = aws.sim(WEST);
    const slowWest = new Proxy(west, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (
          typeof value !== "function" ||
          !String(property).match(/^(authorize|revoke|create|delete|modify)/)
        )
          return typeof value === "function" ? value.bind(target) : value;
        return async (...args: unknown[]) => {
          await eastApplied;
          return value.apply(target, args);
        };
      },
    });
    const providers = testProviders();
    const connection = {
      apiFor: (l: typeof EAST) => (l.region === WEST.region ? slowWest : aws.sim(l)),
      locations: [EAST, WEST],
    };
    const driver = cloudDriver(providers.aws, connection);
    const read = await driver.discover(policy.labels);
    const plan = driver.plan(
      read,
      compile(policy, { workloads: read.workloads, networks: read.networks }),
      policy,
    );
    expect(plan.operations).toHaveLength(planned.operations.length);
    const east = plan.places.flatMap((place, index) => (place === "111111111111:us-west-2" ? [] : [index]));
    const applied: number[] = [];
    await driver.apply(plan, new Set(), (index) => {
      applied.push(index);
      if (east.every((i) => applied.includes(i))) eastDone();
    });
    expect(applied.slice(0, east.length)).toEqual(east);
    expect([...applied].sort((a, b) => a - b)).toEqual(plan.operations.map((_, index) => index));
    const westOrder = applied.filter((index) => !east.includes(index));
    expect(westOrder).toEqual([...westOrder].sort((a, b) => a - b));
  }, 10_000);

  it("a region that fails stops alone: the other is written in full, the failure is reported and rethrown", async () => {
    const { aws, driver, plan } = await planBothRegions();
    aws.sim(WEST).setThrottle({ throttleRate: 1, seed: 1 });
    const applied: number[] = [];
    const stopped: number[] = [];
    await expect(
      driver.apply(
        plan,
        new Set(),
        (index) => applied.push(index),
        undefined,
        (index) => stopped.push(index),
      ),
    ).rejects.toThrow(/RequestLimitExceeded/);
    const west = plan.places.flatMap((place, index) => (place === "111111111111:us-west-2" ? [index] : []));
    const east = plan.places.flatMap((place, index) => (place === "111111111111:us-west-2" ? [] : [index]));
    expect(west.length).toBeGreaterThan(0);
    expect([...applied].sort((a, b) => a - b)).toEqual(east);
    expect(stopped).toEqual([west[0]]);
  });
});
