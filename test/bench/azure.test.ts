import { describe, expect, it } from "vitest";
import { azureStateOf, SEGSYNC_RESOURCE_GROUP } from "../../bench/azure/estate-state.js";
import { azureMismatches, minimalAzureWrites } from "../../bench/azure/minimal-writes.js";
import { AzureSimulators } from "../../bench/azure/simulators.js";
import { applyAzurePlan } from "../../lib/clouds/azure/apply.js";
import { DEFAULT_AZURE_QUOTAS } from "../../lib/clouds/azure/config.js";
import type {
  AzureDesired,
  DesiredApplicationSecurityGroup,
  DesiredNetworkInterface,
  DesiredNetworkSecurityGroup,
} from "../../lib/clouds/azure/desired.js";
import { diffAzure } from "../../lib/clouds/azure/diff.js";
import { discoverAzure } from "../../lib/clouds/azure/discover.js";
import { materializeAzure } from "../../lib/clouds/azure/materialize.js";
import { resourceId, type SecurityRule } from "../../lib/clouds/azure/model.js";
import { compile } from "../../lib/compile/compile.js";
import type { Workload } from "../../lib/inventory/model.js";
import { SimulatedArm } from "../../sim/clouds/azure/api.js";
import { allow, SUB } from "../sim/clouds/azure/fixtures.js";
import { AZURE_OWNERSHIP } from "../support/seals.js";
import { estate, playChanges, sortedViews } from "./cloud-fixtures.js";

const RG = SEGSYNC_RESOURCE_GROUP;
const asgId = (name: string) => resourceId(SUB, RG, "applicationSecurityGroups", name);
const nsgId = (name: string) => resourceId(SUB, RG, "networkSecurityGroups", name);

/** An ARM with one VNet and two VMs (vm-a, vm-b), each with its NIC `<vm>VMNic`. */
function arm(): { sim: SimulatedArm; nicA: string; nicB: string } {
  const sim = SimulatedArm.empty(SUB);
  sim.createVirtualNetwork({
    resourceGroup: "rg-net",
    name: "vnet",
    location: "eastus",
    addressPrefix: "10.2.0.0/16",
  });
  const vm = (name: string, privateIp: string) =>
    sim.createVm({
      resourceGroup: "rg-app",
      name,
      location: "eastus",
      vnet: { resourceGroup: "rg-net", name: "vnet" },
      privateIp,
      tags: {},
    }).networkInterfaceId;
  return { sim, nicA: vm("vm-a", "10.2.0.4"), nicB: vm("vm-b", "10.2.0.5") };
}

function asg(name: string): DesiredApplicationSecurityGroup {
  return {
    subscription: SUB,
    resourceGroup: RG,
    name,
    location: "eastus",
    identity: name,
    network: `azure:${SUB}:rg-net:vnet`,
  };
}

/** An allow rule from one owned ASG to another. */
function allowFrom(name: string, source: string, destination: string): SecurityRule {
  return allow(
    name,
    100,
    { asgs: [asgId(source)] },
    {
      destinationAddressPrefix: undefined,
      destinationApplicationSecurityGroups: [{ id: asgId(destination) }],
    },
  );
}

function nsg(name: string, securityRules: SecurityRule[]): DesiredNetworkSecurityGroup {
  return {
    subscription: SUB,
    resourceGroup: RG,
    name,
    location: "eastus",
    identity: name,
    flushConnection: true,
    securityRules,
  };
}

function nic(
  id: string,
  nsgName: string | undefined,
  asgs: string[],
  originalNsgTag: DesiredNetworkInterface["originalNsgTag"] = "keep",
): DesiredNetworkInterface {
  return {
    subscription: SUB,
    id,
    workload: `azure:${SUB}:rg-app:${id.split("/").pop()}`,
    networkSecurityGroupId: nsgName === undefined ? undefined : nsgId(nsgName),
    ownedApplicationSecurityGroupIds: { ipconfig1: asgs.map(asgId) },
    originalNsgTag,
  };
}

function desired(parts: Partial<AzureDesired>): AzureDesired {
  return {
    applicationSecurityGroups: [],
    networkSecurityGroups: [],
    networkInterfaces: [],
    findings: [],
    ...parts,
  };
}

/** Applies what `after` wants through diffAzure, so that ARM holds it. */
async function converge(sim: SimulatedArm, after: AzureDesired): Promise<void> {
  await applyAzurePlan(diffAzure(after, [sim.state()], AZURE_OWNERSHIP), () => sim, AZURE_OWNERSHIP);
  expect(azureMismatches(after, [sim.state()])).toBe(0);
}

describe("azureStateOf", () => {
  it("describes the estate's Azure workloads exactly as SimulatedArm.state() does once loaded", () => {
    const { inventory } = estate(1_500);
    const state = azureStateOf(inventory);
    const azure = inventory.workloads.filter((workload) => workload.id.startsWith("azure:"));
    expect(state.reduce((sum, subscription) => sum + subscription.virtualMachines.length, 0)).toBe(
      azure.length,
    );
    for (const subscription of state) expect(new SimulatedArm(subscription).state()).toEqual(subscription);
  });
});

describe("AzureSimulators", () => {
  it("plays changes so that discovery reads back the inventory's Azure workloads", async () => {
    const { inventory, policy } = estate(1_200);
    const networks = new Map(inventory.networks.map((network) => [network.id, network]));
    const sims = new AzureSimulators(azureStateOf(inventory), networks, DEFAULT_AZURE_QUOTAS);
    const { kinds, expected } = playChanges(sims, inventory, "azure", essentials);
    expect([...kinds]).toEqual(expect.arrayContaining(["launch", "stop", "retag", "terminate"]));
    const discovered = await Promise.all(
      sims
        .state()
        .map(({ subscription }) => discoverAzure(sims.apiFor(subscription), policy.labels, AZURE_OWNERSHIP)),
    );
    expect(
      sortedViews(
        discovered.flatMap((discovery) => discovery.workloads),
        essentials,
      ),
    ).toEqual(expected);
  });
});

/** What the compiler reads of a workload, but the NIC ids (launches get `<vm>VMNic`) and public IPs. */
function essentials(workload: Workload) {
  return {
    id: workload.id,
    state: workload.state,
    tags: workload.tags,
    nics: workload.nics.map((n) => ({ network: n.network.toLowerCase(), privateIp: n.privateIp })),
  };
}

describe("minimalAzureWrites", () => {
  it("counts the initial plan of a generated estate as diffAzure plans it, but the joins no NSG write needs", () => {
    const { inventory, policy } = estate(1_500);
    const state = azureStateOf(inventory);
    const resourceGroups = Object.fromEntries(state.map(({ subscription }) => [subscription, RG]));
    const after = materializeAzure(compile(policy, inventory), state, {
      quotas: DEFAULT_AZURE_QUOTAS,
      attachment: "exclusive",
      loadBalancerProbes: policy.platform.azureLoadBalancerProbes,
      resourceGroups,
      ownership: AZURE_OWNERSHIP,
    });
    const plan = diffAzure(after, state, AZURE_OWNERSHIP);
    // diffAzure joins ahead of the NSG writes whenever any NSG is written; a join is needed only
    // when a written NSG names the ASG joined (a destination without grants names none).
    const named = new Set(
      plan.flatMap((operation) =>
        operation.kind === "putNetworkSecurityGroup"
          ? operation.securityRules.flatMap((rule) =>
              [
                ...(rule.sourceApplicationSecurityGroups ?? []),
                ...(rule.destinationApplicationSecurityGroups ?? []),
              ].map((asg) => asg.id.toLowerCase()),
            )
          : [],
      ),
    );
    const joins = plan.filter((operation) => operation.kind === "joinApplicationSecurityGroups");
    const needed = joins.filter((join) => join.added.some((asg) => named.has(asg.toLowerCase())));
    const puts = new Set(
      plan.flatMap((operation) => (operation.kind === "putNetworkInterface" ? [operation.nic.id] : [])),
    );
    const extra = joins.filter((join) => !needed.includes(join) && puts.has(join.nic.id)).length;
    const minimal = minimalAzureWrites(desired({}), after, state);
    expect(minimal.joins).toBeGreaterThan(0);
    expect(minimal.joins).toBe(needed.length);
    expect(minimal.total).toBe(plan.length - extra);
  });

  it("joins an ASG in a PUT of its own when an NSG written in the same plan names it", async () => {
    const { sim, nicA } = arm();
    const after = desired({
      applicationSecurityGroups: [asg("segsync-web")],
      networkSecurityGroups: [
        nsg("segsync-web-eastus", [allowFrom("segsync-r1", "segsync-web", "segsync-web")]),
      ],
      networkInterfaces: [nic(nicA, "segsync-web-eastus", ["segsync-web"], "record")],
    });
    // Create the ASG, write the NSG, then the NIC twice: join ahead of the NSG, associate and tag after it.
    expect(minimalAzureWrites(desired({}), after, [sim.state()])).toMatchObject({
      total: 4,
      joins: 1,
      byMethod: { putApplicationSecurityGroup: 1, putNetworkSecurityGroup: 1, putNetworkInterface: 2 },
    });
    await converge(sim, after);
    expect(minimalAzureWrites(after, after, [sim.state()]).total).toBe(0);
  });

  it("joins in the NIC's one PUT when no NSG written in the plan names the ASG", async () => {
    const { sim, nicA, nicB } = arm();
    const before = desired({
      applicationSecurityGroups: [asg("segsync-web"), asg("segsync-db")],
      networkSecurityGroups: [
        nsg("segsync-web-eastus", [allowFrom("segsync-r1", "segsync-web", "segsync-web")]),
        nsg("segsync-db-eastus", [allowFrom("segsync-r2", "segsync-web", "segsync-db")]),
      ],
      networkInterfaces: [nic(nicA, "segsync-web-eastus", ["segsync-web"], "record")],
    });
    await converge(sim, before);
    // vm-b joins web; only db's NSG changes (a rule about db itself): one PUT for vm-b, one for the NSG.
    const after = desired({
      ...before,
      networkSecurityGroups: [
        nsg("segsync-web-eastus", [allowFrom("segsync-r1", "segsync-web", "segsync-web")]),
        nsg("segsync-db-eastus", [allowFrom("segsync-r2", "segsync-db", "segsync-db")]),
      ],
      networkInterfaces: [
        ...before.networkInterfaces,
        nic(nicB, "segsync-web-eastus", ["segsync-web"], "record"),
      ],
    });
    expect(minimalAzureWrites(before, after, [sim.state()])).toMatchObject({
      total: 2,
      joins: 0,
      byMethod: { putNetworkSecurityGroup: 1, putNetworkInterface: 1 },
    });
  });

  it("keeps an NSG still associated with a NIC segsync leaves alone, and the ASGs its rules name", async () => {
    const { sim, nicA, nicB } = arm();
    const before = desired({
      applicationSecurityGroups: [asg("segsync-web"), asg("segsync-api")],
      networkSecurityGroups: [
        nsg("segsync-web-eastus", [allowFrom("segsync-r1", "segsync-api", "segsync-web")]),
        nsg("segsync-api-eastus", [allowFrom("segsync-r2", "segsync-api", "segsync-api")]),
      ],
      networkInterfaces: [
        nic(nicA, "segsync-web-eastus", ["segsync-web"], "record"),
        nic(nicB, "segsync-api-eastus", ["segsync-api"], "record"),
      ],
    });
    await converge(sim, before);
    // vm-a is deallocated (not listed any more): web's NSG and ASG stay, and so does api's ASG,
    // which web's rules name; api's NSG, no longer wanted, goes; vm-b is given back its NSG.
    const after = desired({ networkInterfaces: [nic(nicB, undefined, [], "remove")] });
    expect(minimalAzureWrites(before, after, [sim.state()])).toMatchObject({
      total: 2,
      byMethod: { putNetworkInterface: 1, deleteNetworkSecurityGroup: 1, deleteApplicationSecurityGroup: 0 },
    });
  });

  it("rewrites an NSG whose rules change in meaning only, and not for a respelling", async () => {
    const { sim, nicA } = arm();
    const rule = allowFrom("segsync-r1", "segsync-web", "segsync-web");
    const before = desired({
      applicationSecurityGroups: [asg("segsync-web")],
      networkSecurityGroups: [nsg("segsync-web-eastus", [rule])],
      networkInterfaces: [nic(nicA, "segsync-web-eastus", ["segsync-web"], "record")],
    });
    await converge(sim, before);
    const respelled = { ...rule, destinationPortRange: undefined, destinationPortRanges: ["443"] };
    const same = desired({ ...before, networkSecurityGroups: [nsg("segsync-web-eastus", [respelled])] });
    expect(minimalAzureWrites(before, same, [sim.state()]).total).toBe(0);
    const wider = desired({
      ...before,
      networkSecurityGroups: [nsg("segsync-web-eastus", [{ ...rule, destinationPortRange: "443-444" }])],
    });
    expect(minimalAzureWrites(before, wider, [sim.state()])).toMatchObject({
      total: 1,
      byMethod: { putNetworkSecurityGroup: 1 },
    });
    // ARM holding something else than desired-before is what azureMismatches reports.
    await sim.putNetworkSecurityGroup({
      resourceGroup: RG,
      name: "segsync-web-eastus",
      location: "eastus",
      tags: AZURE_OWNERSHIP.ownedTags(
        resourceId(SUB, RG, "networkSecurityGroups", "segsync-web-eastus"),
        "segsync-web-eastus",
      ),
      securityRules: [{ ...rule, priority: 200 }],
    });
    expect(azureMismatches(before, [sim.state()])).toBe(1);
  });
});
