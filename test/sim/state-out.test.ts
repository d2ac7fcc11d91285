import { describe, expect, it } from "vitest";
import { applyStep } from "../../sim/scenario.js";
import { SimulatedClouds } from "../../sim/simulated-clouds.js";
import { exampleEstate, SUB } from "./fixtures.js";

const sorted = (ids: readonly string[]) => [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describe("stateOut", () => {
  it("has exactly the lists of the State format, flat across locations", async () => {
    const state = SimulatedClouds.fromEstate(await exampleEstate()).stateOut();
    expect(Object.keys(state)).toEqual(["aws", "azure", "gcp"]);
    expect(Object.keys(state.aws)).toEqual([
      "instances",
      "networkInterfaces",
      "securityGroups",
      "managedPrefixLists",
    ]);
    expect(Object.keys(state.azure)).toEqual([
      "virtualMachines",
      "networkInterfaces",
      "networkSecurityGroups",
      "applicationSecurityGroups",
      "publicIPAddresses",
    ]);
    expect(Object.keys(state.gcp)).toEqual(["instances", "firewalls"]);
    // Two AWS accounts, two GCP projects: one list each, not one per location.
    expect(state.aws.instances.map((i) => i.InstanceId)).toEqual([
      "i-0a00000000000001",
      "i-0a00000000000002",
      "i-0a00000000000003",
      "i-0a00000000000004",
      "i-0a00000000000005",
      "i-0b00000000000001",
      "i-0b00000000000002",
    ]);
    expect(state.gcp.instances.map((i) => i.name)).toEqual([
      "blog-db-1",
      "shop-db-2",
      "shop-web-3",
      "blog-api-dev",
    ]);
    expect(state.aws.securityGroups.map((g) => g.GroupName).sort()).toEqual([
      "default",
      "default",
      "legacy-ssh",
    ]);
  });

  it("sorts every list by id and is the same JSON on every run", async () => {
    const estate = await exampleEstate();
    const state = SimulatedClouds.fromEstate(estate).stateOut();
    for (const ids of [
      state.aws.networkInterfaces.map((n) => n.NetworkInterfaceId),
      state.aws.securityGroups.map((g) => g.GroupId),
      state.azure.virtualMachines.map((v) => v.id.toLowerCase()),
      state.azure.networkInterfaces.map((n) => n.id.toLowerCase()),
      state.gcp.instances.map((i) => i.selfLink ?? ""),
    ]) {
      expect(ids).toEqual(sorted(ids));
    }
    expect(JSON.stringify(SimulatedClouds.fromEstate(estate).stateOut())).toBe(JSON.stringify(state));
  });

  it("leaves terminated instances out and keeps stopped ones with their state", async () => {
    const clouds = SimulatedClouds.fromEstate(await exampleEstate());
    applyStep(clouds, { terminate: { id: "aws:111111111111:us-east-1:i-0a00000000000002" } });
    applyStep(clouds, { terminate: { id: `azure:${SUB}:rg-shop-prod:vm-batch-1` } });
    applyStep(clouds, { terminate: { id: "gcp:shop-prod:us-central1-a:shop-db-2" } });
    applyStep(clouds, { stop: { id: "aws:111111111111:us-east-1:i-0a00000000000001" } });
    applyStep(clouds, { stop: { id: `azure:${SUB}:rg-blog-prod:vm-blog-web-1` } });
    applyStep(clouds, { stop: { id: "gcp:shop-prod:us-central1-a:shop-web-3" } });
    const state = clouds.stateOut();
    expect(state.aws.instances.map((i) => i.InstanceId)).not.toContain("i-0a00000000000002");
    expect(state.azure.virtualMachines.map((v) => v.name)).not.toContain("vm-batch-1");
    expect(state.azure.networkInterfaces.map((n) => n.name)).not.toContain("vm-batch-1VMNic");
    expect(state.gcp.instances.map((i) => i.name)).not.toContain("shop-db-2");
    const aws = state.aws.instances.find((i) => i.InstanceId === "i-0a00000000000001");
    expect(aws?.State.Name).toBe("stopped");
    expect(aws?.PublicIpAddress).toBeUndefined();
    const vm = state.azure.virtualMachines.find((v) => v.name === "vm-blog-web-1");
    expect(vm?.powerState).toBe("VM deallocated");
    expect(
      state.azure.publicIPAddresses.find((p) => p.name === "vm-blog-web-1PublicIP")?.ipAddress,
    ).toBeUndefined();
    const gcp = state.gcp.instances.find((i) => i.name === "shop-web-3");
    expect(gcp?.status).toBe("TERMINATED");
    expect(gcp?.networkInterfaces[0]?.accessConfigs?.[0]?.natIP).toBeUndefined();
  });
});
