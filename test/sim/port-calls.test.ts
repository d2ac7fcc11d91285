import { describe, expect, it } from "vitest";
import { CLOUDS, type Cloud } from "../../lib/inventory/model.js";
import { loadPolicyFile } from "../../lib/policy/load.js";
import { type LoggedLocation, PortCallCounter, totalCalls } from "../../sim/port-calls.js";
import { Simulation, type StepOutcome } from "../../sim/simulation.js";
import { AWS_VPC, exampleEstate, REPO_ROOT } from "./fixtures.js";

const EMPTY = { reads: {}, writes: {}, readRequests: 0, simulatorMs: 0 };

function log(...methods: string[]): { calls: { method: string; items?: number; ms?: number }[] } {
  return { calls: methods.map((method) => ({ method })) };
}

describe("PortCallCounter", () => {
  it("counts each call once, as a read or a write by method, per cloud", () => {
    const east = log("describeInstances", "createTags", "describeInstances");
    const west = log("describeSecurityGroups");
    const arm = log("putNetworkInterface");
    const locations = (cloud: Cloud): LoggedLocation[] =>
      cloud === "aws" ? [east, west] : cloud === "azure" ? [arm] : [];
    const writes = (cloud: Cloud) => ({
      writes: new Set(cloud === "aws" ? ["createTags"] : ["putNetworkInterface"]),
      pageSizes: {},
    });
    const counter = new PortCallCounter();

    expect(counter.take(locations, writes)).toEqual({
      aws: {
        reads: { describeInstances: 2, describeSecurityGroups: 1 },
        writes: { createTags: 1 },
        readRequests: 3,
        simulatorMs: 0,
      },
      azure: { reads: {}, writes: { putNetworkInterface: 1 }, readRequests: 0, simulatorMs: 0 },
      gcp: EMPTY,
    });
    expect(counter.take(locations, writes)).toEqual({ aws: EMPTY, azure: EMPTY, gcp: EMPTY });

    east.calls.push({ method: "createTags" });
    arm.calls.length = 0;
    arm.calls.push({ method: "listVirtualMachines" });
    const next = counter.take(locations, writes);
    expect(next.aws).toEqual({ reads: {}, writes: { createTags: 1 }, readRequests: 0, simulatorMs: 0 });
    // An emptied log is counted from its start again.
    expect(next.azure).toEqual({
      reads: { listVirtualMachines: 1 },
      writes: {},
      readRequests: 1,
      simulatorMs: 0,
    });
    expect(totalCalls(next.aws)).toEqual({ reads: 0, writes: 1 });
  });

  it("counts a paged read as one request per page of the cloud's largest size, and the simulators' time", () => {
    const east = {
      calls: [
        { method: "describeInstances", items: 2500, ms: 1.25 },
        { method: "describeInstances", items: 0, ms: 0.5 },
        { method: "describeInstances", items: 1000, ms: 0.25 },
        { method: "getManagedPrefixListEntries", items: 101, ms: 0 },
        { method: "createTags", ms: 2 },
      ],
    };
    const counter = new PortCallCounter();
    const calls = counter.take(
      (cloud) => (cloud === "aws" ? [east] : []),
      () => ({
        writes: new Set(["createTags"]),
        pageSizes: { describeInstances: 1000, getManagedPrefixListEntries: 100 },
      }),
    );
    // 3 pages + 1 (an empty result is still a request) + 1 + 2.
    expect(calls.aws.readRequests).toBe(7);
    expect(calls.aws.simulatorMs).toBe(4);
  });
});

describe("a reconcile step's port calls and wall time", () => {
  const launch = {
    launch: {
      id: "aws:111111111111:us-east-1:i-0d000000000000001",
      network: AWS_VPC,
      privateIp: "10.1.20.1",
      tags: { "seg-app": "shop", "seg-env": "prod", "seg-role": "web", "seg-loc": "us" },
    },
  };

  async function run(): Promise<{ simulation: Simulation; outcomes: StepOutcome[] }> {
    const policy = await loadPolicyFile(`${REPO_ROOT}/examples/policy.yaml`);
    if (!policy.ok) throw new Error("examples/policy.yaml must load");
    const simulation = Simulation.start(policy.policy, await exampleEstate());
    const outcomes: StepOutcome[] = [];
    for (const step of [{ fullSync: {} }, launch, { reconcile: {} }])
      outcomes.push(await simulation.step(step));
    return { simulation, outcomes };
  }

  it("a web server launched in AWS: the reads of its reconcile, by method, and the writes it needed", async () => {
    const { outcomes } = await run();
    const [, launched, reconciled] = outcomes;
    expect(launched?.calls).toBeUndefined();
    expect(launched?.wallMs).toBeUndefined();
    const simulatorMs = expect.any(Number);
    expect(reconciled?.calls).toEqual({
      aws: {
        // The change alone (docs/architecture.md, "Targeted reads (AWS)"): the instance re-read
        // and read with its ENI, the groups of the change by name, what they reference, the
        // groups its ENI carries and its VPC's default group; the peer set's prefix list by name.
        reads: {
          describeInstances: 2,
          describeManagedPrefixLists: 1,
          describeNetworkInterfaces: 1,
          describeSecurityGroups: 4,
          getManagedPrefixListEntries: 1,
        },
        // The new instance's ENI joins the web group, its original groups kept in a tag.
        writes: { createTags: 1, modifyNetworkInterfaceGroups: 1 },
        // Each read fits in one page.
        readRequests: 9,
        simulatorMs,
      },
      azure: {
        // Azure reads the change alone: the api destination's ASG and NSG, by name; its peers'
        // ASGs are named by that NSG's rules (docs/architecture.md, "Targeted reads (Azure)").
        reads: { getApplicationSecurityGroup: 1, getNetworkSecurityGroup: 1 },
        // The api NSG admits the new web server's address.
        writes: { putNetworkSecurityGroup: 1 },
        readRequests: 2,
        simulatorMs,
      },
      gcp: { ...EMPTY, simulatorMs },
    });
    expect(reconciled?.wallMs).toBeGreaterThan(0);
    expect(reconciled?.wallMs).toBeLessThan(60_000);
  });

  it("every write the clouds' ports received is in exactly one step", async () => {
    const { simulation, outcomes } = await run();
    for (const cloud of CLOUDS) {
      const reported = outcomes.reduce(
        (sum, o) => sum + (o.calls ? totalCalls(o.calls[cloud]).writes : 0),
        0,
      );
      expect(reported, cloud).toBe(simulation.clouds.writes(cloud));
      expect(reported, cloud).toBeGreaterThan(0);
    }
  });
});
