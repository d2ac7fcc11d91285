/**
 * A tag writer against segsync, in each cloud, through the production path on the simulator: tags
 * and records that someone without segsync's record key wrote (forged ownership, forged restore
 * records, copied seals, segsync-named network tags) must not make segsync attach, detach, delete
 * or rewrite anything it did not create or record (docs/trust-model.md). Each case asserts the
 * victim object is exactly as it was, and that the forgery is reported.
 */
import { describe, expect, it } from "vitest";
import { loadPolicyText } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import { Simulation } from "../../sim/simulation.js";
import { AWS_VPC, AZURE_VNET, estateOf, GCP_NET, HEADER, SUB, text } from "../sim/fixtures.js";

function policy(attachment: "exclusive" | "additive" = "exclusive"): Policy {
  const loaded = loadPolicyText(
    text(
      "apiVersion: segsync/v1",
      "kind: Policy",
      "labels: { tagPrefix: seg-, dimensions: [app, role] }",
      `attachment: ${attachment}`,
      "rulesets:",
      "  - name: shop",
      "    scope: { app: shop }",
      "    enforcement: enforced",
      "    rules:",
      "      - { from: { role: web }, to: { role: api }, services: [tcp/8080] }",
      "      - { from: { role: api }, to: { role: db }, services: [tcp/5432] }",
    ),
    "policy.yaml",
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  return loaded.policy;
}

const FAKE_SEAL = "0123456789abcdef0123456789abcdef01234567";
const AWS_WEB = "aws:111111111111:us-east-1:i-0a00000000000001";
const AWS_BASTION = "aws:111111111111:us-east-1:i-0a000000000000f1";
const AZURE_API = `azure:${SUB}:rg-shop:vm-api-1`;
const AZURE_JUMP = `azure:${SUB}:rg-shop:vm-jump-1`;
const GCP_DB = "gcp:shop-prod:us-central1-a:db-1";
const GCP_LEGACY = "gcp:shop-prod:us-central1-a:legacy-1";
const armId = (type: string, name: string) =>
  `/subscriptions/${SUB}/resourceGroups/rg-shop/providers/Microsoft.Network/${type}/${name}`;
const vmId = (name: string) =>
  `/subscriptions/${SUB}/resourceGroups/rg-shop/providers/Microsoft.Compute/virtualMachines/${name}`;

const WORKLOADS = [
  "workloads:",
  `  - { id: "${AWS_WEB}", network: "${AWS_VPC}", privateIp: 10.1.0.11, tags: { seg-app: shop, seg-role: web } }`,
  `  - { id: "${AWS_BASTION}", network: "${AWS_VPC}", privateIp: 10.1.0.99, tags: { Name: bastion } }`,
  `  - { id: "${AZURE_API}", network: "${AZURE_VNET}", privateIp: 10.2.0.11, tags: { seg-app: shop, seg-role: api } }`,
  `  - { id: "${AZURE_JUMP}", network: "${AZURE_VNET}", privateIp: 10.2.0.99, tags: { Name: jump } }`,
  `  - { id: "${GCP_DB}", network: "${GCP_NET}", privateIp: 10.3.0.11, tags: { seg-app: shop, seg-role: db } }`,
  `  - { id: "${GCP_LEGACY}", network: "${GCP_NET}", privateIp: 10.3.0.99, tags: { name: legacy } }`,
];

/** A customer SSH-open group, and the victim ENIs: the unmanaged bastion's and the enforced web server's. */
function awsNative(
  bastionTags: string[],
  webGroups: string[] | undefined,
  extraGroups: string[] = [],
): string[] {
  return [
    "  aws:",
    "    securityGroups:",
    "      - GroupId: sg-0000000000000a001",
    "        GroupName: ssh-open",
    "        Description: ssh from anywhere",
    "        VpcId: vpc-0a1b2c3d",
    "        IpPermissions:",
    "          - { IpProtocol: tcp, FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: 0.0.0.0/0 }] }",
    "      - GroupId: sg-0000000000000a002",
    "        GroupName: bastion-base",
    "        Description: the bastion's own group",
    "        VpcId: vpc-0a1b2c3d",
    ...extraGroups,
    "    networkInterfaces:",
    "      - NetworkInterfaceId: eni-0000000000000b0f1",
    "        VpcId: vpc-0a1b2c3d",
    "        PrivateIpAddress: 10.1.0.99",
    "        Groups: [{ GroupId: sg-0000000000000a002, GroupName: bastion-base }]",
    "        Attachment: { InstanceId: i-0a000000000000f1, DeviceIndex: 0 }",
    `        TagSet: [${bastionTags.join(", ")}]`,
    "      - NetworkInterfaceId: eni-0000000000000b001",
    "        VpcId: vpc-0a1b2c3d",
    "        PrivateIpAddress: 10.1.0.11",
    // Without Groups, EC2 gives an ENI its VPC's default group.
    ...(webGroups === undefined ? [] : [`        Groups: [${webGroups.join(", ")}]`]),
    "        Attachment: { InstanceId: i-0a00000000000001, DeviceIndex: 0 }",
  ];
}

async function run(nativeLines: string[], attachment: "exclusive" | "additive" = "exclusive") {
  const estate = estateOf(text(...HEADER, ...WORKLOADS, "native:", ...nativeLines));
  const simulation = Simulation.start(policy(attachment), estate);
  const first = await simulation.fullSync();
  const second = await simulation.fullSync();
  return { simulation, first, second, state: simulation.clouds.stateOut() };
}

function findingCodes(result: Awaited<ReturnType<Simulation["fullSync"]>>): string[] {
  return Object.values(result.plan).flatMap((part) => part?.findings.map((f) => f.code) ?? []);
}

describe("AWS: a tag writer cannot re-wire an instance", () => {
  it("a forged original-groups record on an unmanaged instance's ENI attaches nothing", async () => {
    const { state, first, second } = await run(
      awsNative(
        [
          "{ Key: segsync:original-groups, Value: sg-0000000000000a001 }",
          `{ Key: segsync:original-groups-seal, Value: ${FAKE_SEAL} }`,
        ],
        ["{ GroupId: sg-0000000000000a002, GroupName: bastion-base }"],
      ),
    );
    const bastion = state.aws.networkInterfaces.find((e) => e.NetworkInterfaceId === "eni-0000000000000b0f1");
    expect(bastion?.Groups.map((g) => g.GroupId)).toEqual(["sg-0000000000000a002"]);
    expect(first.failures).toEqual({});
    expect(findingCodes(first)).toContain("aws-unsealed-record");
    expect(second.plan.aws?.operations).toEqual([]);
  });

  it("a spoofed ownership tag on a customer group neither detaches it (additive) nor counts as owned", async () => {
    const spoofed = [
      "      - GroupId: sg-0000000000000a003",
      "        GroupName: segsync-legacy-web",
      "        Description: the customer's web group, tagged as segsync's",
      "        VpcId: vpc-0a1b2c3d",
      "        IpPermissions:",
      `          - { IpProtocol: tcp, FromPort: 443, ToPort: 443, IpRanges: [${Array.from({ length: 50 }, (_, i) => `{ CidrIp: 198.51.100.${i}/32 }`).join(", ")}] }`,
      `        Tags: [{ Key: "segsync:managed", Value: "true" }, { Key: "segsync:seal", Value: ${FAKE_SEAL} }]`,
    ];
    const { state, first } = await run(
      awsNative([], ["{ GroupId: sg-0000000000000a003, GroupName: segsync-legacy-web }"], spoofed),
      "additive",
    );
    const web = state.aws.networkInterfaces.find((e) => e.NetworkInterfaceId === "eni-0000000000000b001");
    expect(web?.Groups.map((g) => g.GroupId)).toContain("sg-0000000000000a003");
    const group = state.aws.securityGroups.find((g) => g.GroupId === "sg-0000000000000a003");
    expect(group?.IpPermissions[0]?.IpRanges).toHaveLength(50);
    // Its 50 rules would dilute the blast-radius guard's share if they counted as segsync's.
    expect(first.plan.aws?.ownedRules).toBe(0);
    expect(findingCodes(first)).toContain("aws-unsealed-object");
  });

  it("a seal copied from segsync's own group onto a customer group does not make it segsync's", async () => {
    const { simulation, state } = await run(
      awsNative([], ["{ GroupId: sg-0000000000000a002, GroupName: bastion-base }"]),
    );
    const owned = state.aws.securityGroups.find((g) => g.GroupName.startsWith("segsync-"));
    const seal = owned?.Tags.find((t) => t.Key === "segsync:seal")?.Value;
    expect(seal).toMatch(/^[0-9a-f]{40}$/);
    const ec2 = simulation.clouds.aws({ account: "111111111111", region: "us-east-1" });
    await ec2.createTags(
      ["sg-0000000000000a001"],
      [
        { Key: "segsync:managed", Value: "true" },
        { Key: "segsync:seal", Value: seal as string },
      ],
    );
    const after = await simulation.fullSync();
    const ops = after.plan.aws?.operations ?? [];
    expect(JSON.stringify(ops)).not.toContain("sg-0000000000000a001");
    expect(findingCodes(after)).toContain("aws-unsealed-object");
  });

  it("an edited record on an enforced ENI is ignored: restore never attaches the forged group", async () => {
    const { simulation } = await run(awsNative([], undefined));
    const ec2 = simulation.clouds.aws({ account: "111111111111", region: "us-east-1" });
    await ec2.createTags(
      ["eni-0000000000000b001"],
      [{ Key: "segsync:original-groups", Value: "sg-0000000000000a001" }],
    );
    // The web server loses its labels: segsync gives its ENI back what it recorded, not what was forged.
    await simulation.step({ retag: { id: AWS_WEB, tags: { Name: "web" } } });
    await simulation.reconcile();
    const web = simulation.clouds
      .stateOut()
      .aws.networkInterfaces.find((e) => e.NetworkInterfaceId === "eni-0000000000000b001");
    expect(web?.Groups.map((g) => g.GroupId)).not.toContain("sg-0000000000000a001");
    // The edited record is no record: the ENI falls back to its VPC's default group, as one never recorded.
    const groupIds = web?.Groups.map((g) => g.GroupId) ?? [];
    const groups = await ec2.describeSecurityGroups([{ Name: "group-id", Values: groupIds }]);
    expect(groups.map((g) => g.GroupName)).toEqual(["default"]);
  });
});

describe("Azure: a tag writer cannot strip or swap an NSG", () => {
  const nsg = (name: string) => [
    `      - id: ${armId("networkSecurityGroups", name)}`,
    `        name: ${name}`,
    "        resourceGroup: rg-shop",
    "        location: eastus",
  ];
  const jumpNic = (tags: string) => [
    `      - id: ${armId("networkInterfaces", "vm-jump-1-nic")}`,
    "        name: vm-jump-1-nic",
    "        resourceGroup: rg-shop",
    `        virtualMachine: { id: ${vmId("vm-jump-1")} }`,
    `        networkSecurityGroup: { id: ${armId("networkSecurityGroups", "nsg-jump")} }`,
    "        ipConfigurations: [{ name: ipconfig1, privateIPAddress: 10.2.0.99 }]",
    `        tags: ${tags}`,
  ];

  it.each([
    ["none", "strips"],
    [armId("networkSecurityGroups", "nsg-open"), "swaps"],
  ])("a forged original-NSG record %s on an unmanaged NIC neither %s its NSG", async (value) => {
    const { state, first, second } = await run([
      "  azure:",
      "    networkSecurityGroups:",
      ...nsg("nsg-jump"),
      ...nsg("nsg-open"),
      "    networkInterfaces:",
      ...jumpNic(`{ segsync-original-nsg: "${value}", segsync-original-nsg-seal: "${FAKE_SEAL}" }`),
    ]);
    const nic = state.azure.networkInterfaces.find((n) => n.name === "vm-jump-1-nic");
    expect(nic?.networkSecurityGroup?.id.toLowerCase()).toBe(
      armId("networkSecurityGroups", "nsg-jump").toLowerCase(),
    );
    expect(first.failures).toEqual({});
    expect(findingCodes(first)).toContain("azure-unsealed-record");
    expect(second.plan.azure?.operations).toEqual([]);
  });

  it("a customer NSG with segsync's ownership tag and name is neither rewritten nor deleted", async () => {
    const { state, first, second } = await run([
      "  azure:",
      "    networkSecurityGroups:",
      ...nsg("nsg-jump"),
      ...nsg("segsync-lookalike"),
      '        tags: { segsync-managed: "true", segsync-identity: "app=shop,role=api" }',
      "        securityRules:",
      '          - { name: allow-rdp, priority: 300, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: Internet, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "3389" }',
      "    networkInterfaces:",
      ...jumpNic("{}"),
    ]);
    const lookalike = state.azure.networkSecurityGroups.find((n) => n.name === "segsync-lookalike");
    expect(lookalike?.securityRules.map((r) => r.name)).toEqual(["allow-rdp"]);
    const sealedRules = state.azure.networkSecurityGroups
      .filter((n) => n.tags?.["segsync-seal"] !== undefined)
      .reduce((sum, n) => sum + n.securityRules.length, 0);
    expect(sealedRules).toBeGreaterThan(0);
    expect(second.plan.azure?.ownedRules).toBe(sealedRules);
    expect(findingCodes(first)).toContain("azure-unsealed-object");
  });
});

describe("GCP: segsync-named tags and rules written by others are left alone", () => {
  it("an unlabelled instance carrying a segsync-… network tag is not adopted", async () => {
    const { state, first } = await run([
      "  gcp:",
      "    instances:",
      "      - { name: legacy-1, zone: us-central1-a, tags: { items: [segsync-abcdefghijkl, http-server] } }",
    ]);
    const legacy = state.gcp.instances.find((i) => i.name === "legacy-1");
    expect(legacy?.tags.items).toEqual(["segsync-abcdefghijkl", "http-server"]);
    expect(findingCodes(first)).toContain("gcp-unsealed-tags");
  });

  it("a customer rule named segsync-… with the marker is not deleted", async () => {
    const { state, first } = await run([
      "  gcp:",
      "    firewalls:",
      "      - name: segsync-customer-allow",
      "        network: https://www.googleapis.com/compute/v1/projects/shop-prod/global/networks/prod-net",
      "        description: segsync:managed but written by someone else",
      "        targetTags: [web]",
      "        sourceRanges: [10.0.0.0/8]",
      '        allowed: [{ IPProtocol: tcp, ports: ["22"] }]',
    ]);
    expect(state.gcp.firewalls.map((f) => f.name)).toContain("segsync-customer-allow");
    expect(findingCodes(first)).toContain("gcp-unsealed-object");
  });
});
