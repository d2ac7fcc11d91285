/**
 * Azure's read of a change alone (lib/clouds/azure/discover-change.ts) through the simulation:
 * what an event reads (the port calls of its reconcile: gets by name, no listing) and that its
 * plan equals the plan of a reconcile that reads the subscription whole, also where one identity
 * has destinations in two VNets of one region, which share its NSG (docs/architecture.md,
 * "Targeted reads (Azure)").
 */
import { describe, expect, it } from "vitest";
import { resolvePolicyDocument } from "../../../lib/policy/load.js";
import type { ReconcileResult } from "../../../lib/reconcile/reconciler.js";
import { resolveEstateDocument } from "../../../sim/estate.js";
import type { Step } from "../../../sim/scenario-schema.js";
import { Simulation } from "../../../sim/simulation.js";
import { comparableState } from "../../sim/comparable-state.js";

const SUBSCRIPTION = "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f";
const PROD = `azure:${SUBSCRIPTION}:rg-net:vnet-prod`;
const DEV = `azure:${SUBSCRIPTION}:rg-net:vnet-dev`;
const vm = (name: string) => `azure:${SUBSCRIPTION}:rg-app:${name}`;

const POLICY = {
  apiVersion: "segsync/v1",
  kind: "Policy",
  labels: { tagPrefix: "seg-", dimensions: ["app", "role"] },
  services: { web: ["tcp/80", "tcp/443"] },
  ipLists: { "corp-vpn": ["10.8.0.0/16"] },
  rulesets: [
    {
      name: "shop",
      scope: { app: "shop" },
      enforcement: "enforced",
      rules: [
        { from: { role: "api" }, to: { role: "web" }, services: ["web"] },
        { from: { ipList: "corp-vpn" }, to: { role: "web" }, services: ["tcp/22"] },
        { from: { role: "web" }, to: { role: "api" }, services: ["tcp/8080"] },
      ],
    },
  ],
};

const ESTATE = {
  apiVersion: "segsync/v1",
  kind: "Estate",
  networks: [
    { id: PROD, cidr: "10.2.0.0/16", region: "eastus" },
    { id: DEV, cidr: "10.4.0.0/16", region: "eastus" },
  ],
  workloads: [
    { id: vm("web-1"), network: PROD, privateIp: "10.2.0.10", state: "running", tags: web() },
    { id: vm("api-1"), network: PROD, privateIp: "10.2.0.20", state: "running", tags: api() },
    { id: vm("web-2"), network: DEV, privateIp: "10.4.0.10", state: "running", tags: web() },
    { id: vm("api-2"), network: DEV, privateIp: "10.4.0.20", state: "running", tags: api() },
    { id: vm("db-1"), network: PROD, privateIp: "10.2.0.30", state: "running", tags: db() },
    { id: vm("db-2"), network: PROD, privateIp: "10.2.0.31", state: "running", tags: db() },
  ],
};

function web(): Record<string, string> {
  return { "seg-app": "shop", "seg-role": "web" };
}

function api(): Record<string, string> {
  return { "seg-app": "shop", "seg-role": "api" };
}

function db(): Record<string, string> {
  return { "seg-app": "shop", "seg-role": "db" };
}

function start(readChanges: boolean): Simulation {
  const policy = resolvePolicyDocument(POLICY);
  const estate = resolveEstateDocument(ESTATE);
  if (!policy.ok || !estate.ok) throw new Error("the test's policy and estate must load");
  return Simulation.start(policy.policy, estate.estate, { readChanges });
}

function writes(result: ReconcileResult | undefined): string[] {
  return (result?.plan.azure?.summaries ?? []).map((s) => `${s.action} ${s.objectType} ${s.object}`).sort();
}

/** Runs the steps on a simulation that reads changes and one that reads whole; the reconciles' Azure reads. */
async function runBoth(steps: readonly Step[]): Promise<Record<string, number>[]> {
  const targeted = start(true);
  const whole = start(false);
  await targeted.fullSync();
  await whole.fullSync();
  const reads: Record<string, number>[] = [];
  for (const step of steps) {
    const a = await targeted.step(step);
    const b = await whole.step(step);
    expect(writes(a.result), JSON.stringify(step)).toEqual(writes(b.result));
    expect(comparableState(targeted.clouds.stateOut())).toEqual(comparableState(whole.clouds.stateOut()));
    if (a.result !== undefined) reads.push({ ...a.calls?.azure.reads });
  }
  return reads;
}

describe("Azure reads a change alone", () => {
  it("a launch: the VM, its NIC, the ASGs and NSGs its change names, by name; nothing listed", async () => {
    const launch = { id: vm("web-3"), network: PROD, privateIp: "10.2.0.11", tags: web() };
    const [reads] = await runBoth([{ launch }, { reconcile: {} }]);
    // The VM and its NIC twice (the event's re-read, then the change's read). The change's
    // destinations: web and api in vnet-prod, api in vnet-dev (whose view of web changed); their
    // ASGs, each once; one NSG per identity and region (api's two VNets share one). The peer sets
    // they use are those destinations' but for web in vnet-dev, whose ASG the api NSG's rules
    // already name as a source: not read.
    expect(reads).toEqual({
      getVirtualMachine: 2,
      getNetworkInterface: 2,
      getApplicationSecurityGroup: 3,
      getNetworkSecurityGroup: 2,
    });
  });

  it("a re-tag out of an identity whose NSG another VNet's destination shares: its rules stay", async () => {
    const [reads] = await runBoth([
      { retag: { id: vm("web-2"), tags: { "seg-app": "shop", "seg-role": "db" } } },
      { reconcile: {} },
    ]);
    expect(Object.keys(reads ?? {}).filter((method) => method.startsWith("list"))).toEqual([]);
  });

  it("a terminate, then the last member of an identity in a VNet leaving it", async () => {
    const reads = await runBoth([
      { terminate: { id: vm("api-2") } },
      { reconcile: {} },
      { retag: { id: vm("web-2"), tags: { "seg-app": "blog" } } },
      { reconcile: {} },
    ]);
    for (const step of reads)
      expect(Object.keys(step).filter((method) => method.startsWith("list"))).toEqual([]);
  });

  it("stopped members keep their identity's NSG and ASG until the last of them is gone", async () => {
    await runBoth([
      { stop: { id: vm("db-2") } },
      { reconcile: {} },
      { stop: { id: vm("db-1") } },
      { reconcile: {} },
      { terminate: { id: vm("db-1") } },
      { reconcile: {} },
      { terminate: { id: vm("db-2") } },
      { reconcile: {} },
    ]);
  });
});
