import { describe, expect, it } from "vitest";
import { applyChanges, generateEstate, randomChanges } from "../../bench/estate-generator.js";
import { networkIdProblem, workloadIdProblem } from "../../lib/inventory/ids.js";
import type { Inventory, Workload } from "../../lib/inventory/model.js";
import { cidrContains } from "../../lib/net/cidr.js";
import { resolvePolicyDocument } from "../../lib/policy/load.js";

const AWS_WORKLOAD = /^aws:\d{12}:[a-z]{2}-[a-z]+-\d:i-[0-9a-f]{17}$/;
const AWS_NETWORK = /^aws:\d{12}:[a-z]{2}-[a-z]+-\d:vpc-[0-9a-f]{17}$/;
const GUID = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
const AZURE_WORKLOAD = new RegExp(`^azure:${GUID}:[A-Za-z0-9_.()-]+:[a-z0-9-]{1,64}$`);
const AZURE_NETWORK = new RegExp(`^azure:${GUID}:[A-Za-z0-9_.()-]+:[A-Za-z0-9_.-]+$`);
const GCP_WORKLOAD =
  /^gcp:[a-z][a-z0-9-]{4,28}[a-z0-9]:[a-z]+-[a-z]+\d-[a-z]:[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const GCP_NETWORK = /^gcp:[a-z][a-z0-9-]{4,28}[a-z0-9]:[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const PORTABLE_VALUE = /^[a-z0-9_-]{1,63}$/;

function ruleCount(document: ReturnType<typeof generateEstate>["policyDocument"]): number {
  return document.rulesets.reduce((sum, ruleset) => sum + ruleset.rules.length, 0);
}

function share(workloads: readonly Workload[], predicate: (workload: Workload) => boolean): number {
  return workloads.filter(predicate).length / workloads.length;
}

function expectUniqueAddresses(inventory: Inventory): void {
  const cidrs = new Map(inventory.networks.map((network) => [network.id, network.cidr ?? ""]));
  const seen = new Set<string>();
  const publicIps = new Set<string>();
  for (const workload of inventory.workloads) {
    for (const nic of workload.nics) {
      const key = `${nic.network} ${nic.privateIp}`;
      expect(seen.has(key), `${key} is used twice`).toBe(false);
      seen.add(key);
      expect(cidrContains(cidrs.get(nic.network) ?? "", nic.privateIp), key).toBe(true);
      if (nic.publicIp !== undefined) {
        expect(publicIps.has(nic.publicIp), `${nic.publicIp} is used twice`).toBe(false);
        publicIps.add(nic.publicIp);
      }
    }
  }
}

describe("generateEstate", () => {
  const medium = generateEstate({ workloads: 10_000, rules: 1_000, seed: 11 });

  it("is deterministic: the same options give the same JSON, another seed another estate", () => {
    const options = { workloads: 2_000, rules: 100, seed: 7 };
    const first = JSON.stringify(generateEstate(options));
    expect(JSON.stringify(generateEstate(options))).toBe(first);
    expect(JSON.stringify(generateEstate({ ...options, seed: 8 }))).not.toBe(first);
  });

  it.each([
    [1_000, 100],
    [1_000, 1_000],
    [10_000, 100],
    [10_000, 1_000],
    [100_000, 1_000],
    [300, 7],
    [50, 3],
    [1_000, 0],
  ])("generates exactly the requested rules (%i workloads, %i rules)", (workloads, rules) => {
    const { inventory, policyDocument } = generateEstate({ workloads, rules, seed: 3 });
    expect(inventory.workloads).toHaveLength(workloads);
    expect(ruleCount(policyDocument)).toBe(rules);
    const names = policyDocument.rulesets.map((ruleset) => ruleset.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each([
    [1_000, 100],
    [1_000, 1_000],
    [10_000, 1_000],
  ])("produces a policy that resolvePolicyDocument accepts (%i workloads, %i rules)", (workloads, rules) => {
    const { policyDocument } = generateEstate({ workloads, rules, seed: 5 });
    const result = resolvePolicyDocument(policyDocument);
    if (!result.ok) expect.fail(JSON.stringify(result.issues.slice(0, 5), null, 2));
    expect(result.policy.rulesets.reduce((sum, ruleset) => sum + ruleset.rules.length, 0)).toBe(rules);
    expect(result.policy.rulesets.some((ruleset) => ruleset.enforcement === "visibility")).toBe(true);
  });

  it("names workloads and networks with segsync's ids, each in its own network's account or project", () => {
    const { inventory } = medium;
    const networks = new Map(inventory.networks.map((network) => [network.id, network]));
    for (const network of inventory.networks) {
      const pattern = { aws: AWS_NETWORK, azure: AZURE_NETWORK, gcp: GCP_NETWORK }[
        network.id.split(":")[0] as "aws"
      ];
      expect(network.id).toMatch(pattern);
      expect(networkIdProblem(network.id)).toBeUndefined();
      if (network.id.startsWith("azure:")) expect(network.region).toBeTruthy();
    }
    expect(new Set(inventory.workloads.map((workload) => workload.id)).size).toBe(inventory.workloads.length);
    for (const workload of inventory.workloads) {
      const [cloud, owner, place] = workload.id.split(":");
      const pattern = { aws: AWS_WORKLOAD, azure: AZURE_WORKLOAD, gcp: GCP_WORKLOAD }[cloud as "aws"];
      expect(workload.id).toMatch(pattern);
      expect(workloadIdProblem(workload.id)).toBeUndefined();
      const network = networks.get(workload.nics[0]?.network ?? "");
      expect(network, workload.id).toBeDefined();
      const [networkCloud, networkOwner, networkPlace] = (network?.id ?? "").split(":");
      expect([networkCloud, networkOwner]).toEqual([cloud, owner]);
      if (cloud === "aws") expect(place).toBe(networkPlace);
    }
  });

  it("gives each workload a unique private IP inside its network's CIDR, and unique public IPs", () => {
    const cidrs = medium.inventory.networks.map((network) => network.cidr);
    expect(new Set(cidrs).size).toBe(cidrs.length);
    expectUniqueAddresses(medium.inventory);
  });

  it("spreads workloads, labels and networks with the intended shares", () => {
    const { inventory, policyDocument } = medium;
    const workloads = inventory.workloads;
    const cloudShare = (cloud: string) => share(workloads, (workload) => workload.id.startsWith(`${cloud}:`));
    expect(cloudShare("aws")).toBeCloseTo(0.4, 1);
    expect(cloudShare("azure")).toBeCloseTo(0.3, 1);
    expect(cloudShare("gcp")).toBeCloseTo(0.3, 1);
    expect(inventory.networks).toHaveLength(20);
    expect(share(workloads, (workload) => workload.state === "stopped")).toBeGreaterThan(0.02);
    expect(share(workloads, (workload) => workload.state === "stopped")).toBeLessThan(0.04);
    const unmanaged = share(workloads, (workload) => workload.tags["seg-app"] === undefined);
    expect(unmanaged).toBeGreaterThan(0.01);
    expect(unmanaged).toBeLessThan(0.03);
    const nonPortable = share(workloads, (workload) => {
      const app = workload.tags["seg-app"];
      return app !== undefined && !PORTABLE_VALUE.test(app);
    });
    expect(nonPortable).toBeGreaterThan(0.002);
    expect(nonPortable).toBeLessThan(0.01);
    const withPublic = workloads.filter((workload) => workload.nics[0]?.publicIp !== undefined);
    expect(withPublic.length / workloads.length).toBeCloseTo(0.2, 1);
    expect(share(withPublic, (workload) => workload.tags["seg-role"] === "web")).toBeGreaterThan(0.6);
    const managed = workloads.filter((workload) => workload.tags["seg-env"] !== undefined);
    expect(share(managed, (workload) => workload.tags["seg-env"] === "prod")).toBeCloseTo(0.6, 1);
    // About one app per 40 workloads (Zipf sizes: the smallest may not appear at all).
    const apps = new Set(managed.map((workload) => workload.tags["seg-app"] ?? ""));
    const teamApps = [...apps].filter((app) => PORTABLE_VALUE.test(app) && app !== "monitoring");
    expect(teamApps.length).toBeGreaterThan(150);
    expect(teamApps.length).toBeLessThanOrEqual(250);
    for (const workload of managed) {
      expect(Object.keys(workload.tags)).toEqual(expect.arrayContaining(["seg-role", "seg-loc", "owner"]));
    }

    const visibility = policyDocument.rulesets.filter(
      (ruleset) => ruleset.enforcement === "visibility",
    ).length;
    expect(visibility / policyDocument.rulesets.length).toBeCloseTo(0.1, 1);
    const rules = policyDocument.rulesets.flatMap((ruleset) => ruleset.rules);
    expect(rules.some((rule) => rule.extraScope && rule.from.app === "monitoring")).toBe(true);
    expect(rules.some((rule) => rule.from.ipList !== undefined)).toBe(true);
    expect(rules.some((rule) => rule.services.some((service) => service in policyDocument.services))).toBe(
      true,
    );
    expect(rules.some((rule) => rule.services.some((service) => service.startsWith("tcp/")))).toBe(true);
    expect(Object.keys(policyDocument.networks.nat).length).toBeGreaterThan(0);
    const connected = policyDocument.networks.connected.flat();
    expect(connected.length).toBeGreaterThanOrEqual(2);
    expect(new Set(connected).size).toBe(connected.length);
  });
});

describe("randomChanges", () => {
  const { inventory } = generateEstate({ workloads: 2_000, rules: 100, seed: 21 });

  it("is deterministic and returns exactly the requested number of changes", () => {
    const changes = randomChanges(inventory, 500, 9);
    expect(changes).toHaveLength(500);
    expect(JSON.stringify(randomChanges(inventory, 500, 9))).toBe(JSON.stringify(changes));
  });

  it("mixes launches, stops and starts, retags, terminations and public IP changes that make sense in order", () => {
    const changes = randomChanges(inventory, 500, 4);
    const current = new Map(inventory.workloads.map((workload) => [workload.id, workload]));
    const kinds = new Set<string>();
    for (const change of changes) {
      if (change.kind === "delete") {
        expect(current.has(change.id), `delete of unknown ${change.id}`).toBe(true);
        current.delete(change.id);
        kinds.add("terminate");
        continue;
      }
      const before = current.get(change.workload.id);
      if (before === undefined) kinds.add("launch");
      else if (before.state !== change.workload.state)
        kinds.add(change.workload.state === "stopped" ? "stop" : "start");
      else if (JSON.stringify(before.tags) !== JSON.stringify(change.workload.tags)) kinds.add("retag");
      else if (before.nics[0]?.publicIp !== change.workload.nics[0]?.publicIp) kinds.add("publicIp");
      current.set(change.workload.id, change.workload);
    }
    expect([...kinds].sort()).toEqual(["launch", "publicIp", "retag", "start", "stop", "terminate"]);
    const after = applyChanges(inventory, changes);
    expect(after.workloads).toHaveLength(current.size);
    expectUniqueAddresses(after);
  });
});
