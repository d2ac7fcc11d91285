/**
 * Issue 13, defects 2 and 3. A workload that leaves segsync (re-tagged without any segsync label)
 * must get its own groups back before segsync deletes the objects it no longer needs, in both
 * attachment modes and every cloud: in AWS additive mode the ENI carried no record, was not read
 * back, and the group's delete failed with DependencyViolation at every reconcile. And in AWS
 * additive mode the VPC's default group stays beside segsync's and admits every member of the VPC
 * on every port: its warning names it and says so (docs/clouds.md, "AWS default security group").
 * An interface attached to no instance or VM that still carries segsync's group or NSG is given
 * back what it had too: it was not read, and the delete was refused at every full sync.
 */
import { describe, expect, it } from "vitest";
import { loadPolicyText } from "../../lib/policy/load.js";
import type { Attachment } from "../../lib/policy/model.js";
import type { ReconcileResult } from "../../lib/reconcile/reconciler.js";
import { Simulation } from "../../sim/simulation.js";
import type { SimulatedState } from "../../sim/state-out.js";
import { AWS_VPC, AZURE_VNET, estateOf, GCP_NET, SUB, text } from "../sim/fixtures.js";
import { AWS_OWNERSHIP, AZURE_OWNERSHIP } from "../support/seals.js";

const policyText = (attachment: Attachment) => `
apiVersion: segsync/v1
kind: Policy
attachment: ${attachment}
labels: { tagPrefix: seg-, dimensions: [app, role] }
rulesets:
  - name: shop
    scope: { app: shop }
    enforcement: enforced
    rules:
      - { from: { role: web }, to: { role: api }, services: [tcp/8080] }
`;

/** A web and an api workload in each cloud; the api one leaves segsync. */
const LEAVING = {
  aws: "aws:111111111111:us-east-1:i-0a00000000000002",
  azure: `azure:${SUB}:rg-shop:vm-api-1`,
  gcp: "gcp:shop-prod:us-central1-a:api-1",
} as const;
const ESTATE = text(
  "apiVersion: segsync/v1",
  "kind: Estate",
  "networks:",
  `  - { id: "${AWS_VPC}", cidr: 10.1.0.0/16 }`,
  `  - { id: "${AZURE_VNET}", region: eastus, cidr: 10.2.0.0/16 }`,
  `  - { id: "${GCP_NET}", cidr: 10.3.0.0/16 }`,
  "workloads:",
  `  - { id: "aws:111111111111:us-east-1:i-0a00000000000001", network: "${AWS_VPC}", privateIp: 10.1.0.11, tags: { seg-app: shop, seg-role: web } }`,
  `  - { id: "${LEAVING.aws}", network: "${AWS_VPC}", privateIp: 10.1.0.12, tags: { seg-app: shop, seg-role: api } }`,
  `  - { id: "azure:${SUB}:rg-shop:vm-web-1", network: "${AZURE_VNET}", privateIp: 10.2.0.11, tags: { seg-app: shop, seg-role: web } }`,
  `  - { id: "${LEAVING.azure}", network: "${AZURE_VNET}", privateIp: 10.2.0.12, tags: { seg-app: shop, seg-role: api } }`,
  `  - { id: "gcp:shop-prod:us-central1-a:web-1", network: "${GCP_NET}", privateIp: 10.3.0.11, tags: { seg-app: shop, seg-role: web } }`,
  `  - { id: "${LEAVING.gcp}", network: "${GCP_NET}", privateIp: 10.3.0.12, tags: { seg-app: shop, seg-role: api } }`,
);

function start(attachment: Attachment): Simulation {
  const policy = loadPolicyText(policyText(attachment), "policy.yaml");
  if (!policy.ok) throw new Error("the test's policy is invalid");
  return Simulation.start(policy.policy, estateOf(ESTATE));
}

/** What went wrong in a reconcile: failed clouds and refused operations, by cloud. */
function troubles(result: ReconcileResult | undefined) {
  return { failures: result?.failures ?? {}, refused: result?.refused ?? {} };
}

const SEGSYNC_NAME = /segsync-[a-z0-9-]+/g;

/** The names of segsync's objects that the workload's NIC or instance still carries. */
function carried(state: SimulatedState, id: string): string[] {
  const name = id.slice(id.lastIndexOf(":") + 1);
  if (id.startsWith("aws:"))
    return state.aws.networkInterfaces
      .filter((eni) => eni.Attachment?.InstanceId === name)
      .flatMap((eni) => eni.Groups.map((group) => group.GroupName))
      .filter((group) => group.startsWith("segsync-"));
  if (id.startsWith("azure:")) {
    const nics = state.azure.networkInterfaces.filter((nic) =>
      nic.virtualMachine?.id.endsWith(`/virtualMachines/${name}`),
    );
    return nics.flatMap((nic) => [
      ...(JSON.stringify(nic.ipConfigurations).match(SEGSYNC_NAME) ?? []),
      ...(nic.networkSecurityGroup?.id.match(SEGSYNC_NAME) ?? []),
    ]);
  }
  const instance = state.gcp.instances.find((candidate) => candidate.name === name);
  return (instance?.tags?.items ?? []).filter((tag) => tag.startsWith("segsync-"));
}

describe("a workload that leaves segsync gets its own groups back before segsync deletes its objects", () => {
  const cases = (["additive", "exclusive"] as const).flatMap((attachment) =>
    (["aws", "azure", "gcp"] as const).map((cloud) => ({ attachment, cloud })),
  );
  it.each(cases)(
    "$cloud, $attachment: initial sync, re-tag to no segsync label, reconcile, reconcile again, full sync plans nothing",
    async ({ attachment, cloud }) => {
      const simulation = start(attachment);
      const leaving = LEAVING[cloud];
      const initial = await simulation.fullSync();
      expect(troubles(initial)).toEqual({ failures: {}, refused: {} });
      expect(carried(simulation.clouds.stateOut(), leaving)).not.toEqual([]);

      await simulation.step({ retag: { id: leaving, tags: { owner: "team-a" } } });
      const first = await simulation.step({ reconcile: {} });
      expect(troubles(first.result)).toEqual({ failures: {}, refused: {} });
      const again = await simulation.step({ reconcile: {} });
      expect(troubles(again.result)).toEqual({ failures: {}, refused: {} });
      const settled = await simulation.fullSync();
      expect(troubles(settled)).toEqual({ failures: {}, refused: {} });
      expect(Object.values(settled.plan).flatMap((part) => part?.operations ?? [])).toEqual([]);

      // Nothing of segsync's stays on it, and the api identity's objects are gone.
      const state = simulation.clouds.stateOut();
      expect(carried(state, leaving)).toEqual([]);
      expect(JSON.stringify(state[cloud])).not.toContain("role=api");
    },
  );

  it("aws, additive: the ENI is given back the VPC's default group it had, and the api group is deleted", async () => {
    const simulation = start("additive");
    await simulation.fullSync();
    await simulation.step({ retag: { id: LEAVING.aws, tags: { owner: "team-a" } } });
    await simulation.step({ reconcile: {} });
    const state = simulation.clouds.stateOut().aws;
    const eni = state.networkInterfaces.find((e) => e.Attachment?.InstanceId === "i-0a00000000000002");
    expect(eni?.Groups.map((group) => group.GroupName)).toEqual(["default"]);
    expect(state.securityGroups.map((group) => group.GroupName).sort()).toEqual([
      "default",
      expect.stringMatching(/^segsync-/),
    ]);
  });
});

describe("aws, additive: the VPC's default group stays and is reported", () => {
  it("each destination's warning names default (sg-…) and says it admits every member of the VPC that carries it, on every port", async () => {
    const simulation = start("additive");
    const initial = await simulation.fullSync();
    const state = simulation.clouds.stateOut().aws;
    const defaultGroup = state.securityGroups.find((group) => group.GroupName === "default");
    if (defaultGroup === undefined) throw new Error("the simulated VPC has no default group");
    // It stays on every enforced ENI, beside segsync's group.
    for (const eni of state.networkInterfaces)
      expect(eni.Groups.map((group) => group.GroupId)).toContain(defaultGroup.GroupId);

    const id = defaultGroup.GroupId;
    const warnings = (initial.plan.aws?.findings ?? []).filter((f) => f.code === "aws-additive-extra-flows");
    expect(warnings.map((finding) => finding.message).sort()).toEqual(
      ["app=shop,role=api", "app=shop,role=web"].map(
        (identity) =>
          `${identity} in vpc-0a1b2c3d: customer group default (${id}) stays (attachment: additive) and admits all traffic from every interface that carries default (${id}), beyond what the policy allows; it is vpc-0a1b2c3d's default group, which EC2 gives every interface launched without a named group, so that is every such member of vpc-0a1b2c3d`,
      ),
    );

    // What it says is so: the api server admits the web server on a port the policy does not allow.
    const reach = await simulation.reachability();
    expect(
      reach.aws.explain({
        workload: LEAVING.aws,
        network: AWS_VPC,
        sourceAddress: "10.1.0.11",
        protocol: "tcp",
        port: 22,
      }),
    ).toEqual({ object: `default (${id})`, rule: expect.any(String) });
  });
});

describe("an ENI attached to no instance that still carries segsync's group", () => {
  // The api server was terminated; its second ENI (DeleteOnTermination false) stayed, detached,
  // with segsync's api group on it and nothing else.
  const location = { account: "111111111111", region: "us-east-1" };
  const group = "sg-0a0000000000000a1";
  const eni = "eni-0a0000000000000a9";
  const tags = AWS_OWNERSHIP.groupTags(location, "vpc-0a1b2c3d", "segsync-oldapi", "app=shop,role=api");
  const estate = text(
    "apiVersion: segsync/v1",
    "kind: Estate",
    "networks:",
    `  - { id: "${AWS_VPC}", cidr: 10.1.0.0/16 }`,
    "workloads:",
    `  - { id: "aws:111111111111:us-east-1:i-0a00000000000001", network: "${AWS_VPC}", privateIp: 10.1.0.11, tags: { seg-app: shop, seg-role: web } }`,
    "native:",
    "  aws:",
    "    securityGroups:",
    `      - GroupId: ${group}`,
    "        GroupName: segsync-oldapi",
    '        Description: "segsync: app=shop,role=api"',
    "        VpcId: vpc-0a1b2c3d",
    `        Tags: ${JSON.stringify(tags)}`,
    "    networkInterfaces:",
    `      - NetworkInterfaceId: ${eni}`,
    "        VpcId: vpc-0a1b2c3d",
    "        PrivateIpAddress: 10.1.0.99",
    "        Status: available",
    `        Groups: [{ GroupId: ${group}, GroupName: segsync-oldapi }]`,
  );

  it.each(["additive", "exclusive"] as const)(
    "%s: is given the VPC's default group back before the group is deleted; a second full sync plans nothing",
    async (attachment) => {
      const policy = loadPolicyText(policyText(attachment), "policy.yaml");
      if (!policy.ok) throw new Error("the test's policy is invalid");
      const simulation = Simulation.start(policy.policy, estateOf(estate));
      const first = await simulation.fullSync();
      expect(troubles(first)).toEqual({ failures: {}, refused: {} });
      expect(first.plan.aws?.summaries.map((summary) => [summary.object, summary.detail])).toEqual(
        expect.arrayContaining([
          [`${eni} (attached to no instance)`, "groups segsync-oldapi → default"],
          [`segsync-oldapi (${group})`, "no longer used"],
        ]),
      );
      const state = simulation.clouds.stateOut().aws;
      const detached = state.networkInterfaces.find((candidate) => candidate.NetworkInterfaceId === eni);
      expect(detached?.Groups.map((g) => g.GroupName)).toEqual(["default"]);
      expect(state.securityGroups.map((g) => g.GroupId)).not.toContain(group);
      const settled = await simulation.fullSync();
      expect(troubles(settled)).toEqual({ failures: {}, refused: {} });
      expect(Object.values(settled.plan).flatMap((part) => part?.operations ?? [])).toEqual([]);
    },
  );
});

describe("an Azure NIC attached to no VM that still carries segsync's NSG", () => {
  // The api VM was deleted and its NIC kept, with segsync's api NSG on it.
  const nsg = `/subscriptions/${SUB}/resourceGroups/rg-segsync/providers/Microsoft.Network/networkSecurityGroups/segsync-oldapi`;
  const nic = `/subscriptions/${SUB}/resourceGroups/rg-shop/providers/Microsoft.Network/networkInterfaces/api-1-nic`;
  const subnet = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-prod/subnets/default`;
  const tags = AZURE_OWNERSHIP.ownedTags(nsg, "app=shop,role=api");
  const estate = text(
    "apiVersion: segsync/v1",
    "kind: Estate",
    "networks:",
    `  - { id: "${AZURE_VNET}", region: eastus, cidr: 10.2.0.0/16 }`,
    "workloads:",
    `  - { id: "azure:${SUB}:rg-shop:vm-web-1", network: "${AZURE_VNET}", privateIp: 10.2.0.11, tags: { seg-app: shop, seg-role: web } }`,
    "native:",
    "  azure:",
    "    networkSecurityGroups:",
    `      - id: ${nsg}`,
    "        name: segsync-oldapi",
    "        resourceGroup: rg-segsync",
    "        location: eastus",
    `        tags: ${JSON.stringify(tags)}`,
    "    networkInterfaces:",
    `      - id: ${nic}`,
    "        name: api-1-nic",
    "        resourceGroup: rg-shop",
    "        location: eastus",
    `        networkSecurityGroup: { id: ${nsg} }`,
    "        ipConfigurations:",
    `          - { name: ipconfig1, privateIPAddress: 10.2.0.99, subnet: { id: ${subnet} } }`,
  );

  it.each(["additive", "exclusive"] as const)(
    "%s: is given back what it had (no NSG) before the NSG is deleted; a second full sync plans nothing",
    async (attachment) => {
      const policy = loadPolicyText(policyText(attachment), "policy.yaml");
      if (!policy.ok) throw new Error("the test's policy is invalid");
      const simulation = Simulation.start(policy.policy, estateOf(estate));
      const first = await simulation.fullSync();
      expect(troubles(first)).toEqual({ failures: {}, refused: {} });
      const state = simulation.clouds.stateOut().azure;
      const kept = state.networkInterfaces.find((candidate) => candidate.id === nic);
      expect(kept?.networkSecurityGroup).toBeUndefined();
      expect(state.networkSecurityGroups.map((group) => group.id)).not.toContain(nsg);
      const settled = await simulation.fullSync();
      expect(troubles(settled)).toEqual({ failures: {}, refused: {} });
      expect(Object.values(settled.plan).flatMap((part) => part?.operations ?? [])).toEqual([]);
    },
  );
});
