/**
 * The whole AWS pipeline against moto's EC2: discover through the SDK → compile → materialize →
 * diff → apply through the SDK, then read everything back from moto and check it with evaluate,
 * over three VPCs in two accounts (the second reached through STS AssumeRole, as in production).
 *
 * What moto cannot show (toolchain.md, "moto"), and where it is covered instead:
 * - prefix-list references in SG rules read back without their Description, so the "segsync"
 *   description is checked here on CIDR and group references only; the property test
 *   (test/clouds/aws/materialize.property.test.ts) checks it on every owned rule in the simulator;
 * - ModifyManagedPrefixList without a name clears the list's name in moto, after which the list no
 *   longer looks owned: every plan here is asserted to contain no modifyPrefixList (the estate's
 *   membership never changes, only the policy), and a modification keeping the name is checked on
 *   the simulator (test/sim/clouds/aws/api.test.ts, "managed prefix lists");
 * - quotas (a prefix-list reference counts as 1 rule in moto, MaxEntries is not enforced, more than
 *   5 groups per ENI and groups from another VPC are accepted), stale prefix-list versions and
 *   deleting an in-use group are all too lenient in moto: the plans here stay well inside the
 *   quotas, and those refusals are covered by the AWS API contract (test/contract/aws-api.contract.ts) and the SDK mock tests;
 * - `Instance.SecurityGroups` is stale after an ENI change: everything here reads ENIs.
 *
 * A deleted prefix list reads back once more (delete-complete) right after its deletion: discovery
 * and diff must ignore it (checked after each step that deletes lists).
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateManagedPrefixListCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  type EC2Client,
  RunInstancesCommand,
  type IpPermission as SdkIpPermission,
  StopInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsApi, AwsApiFactory } from "../../lib/clouds/aws/api.js";
import { applyAwsPlan } from "../../lib/clouds/aws/apply.js";
import { DEFAULT_AWS_QUOTAS } from "../../lib/clouds/aws/config.js";
import type { AwsDesired } from "../../lib/clouds/aws/desired.js";
import { diffAws } from "../../lib/clouds/aws/diff.js";
import { discoverAws } from "../../lib/clouds/aws/discover.js";
import { evaluateAws } from "../../lib/clouds/aws/evaluate.js";
import { groupName, materializeAws } from "../../lib/clouds/aws/materialize.js";
import {
  type AwsLocation,
  type AwsRegionState,
  type AwsState,
  locationKey,
  type ManagedPrefixList,
  type NetworkInterface,
  type SecurityGroup,
} from "../../lib/clouds/aws/model.js";
import type { AwsOperation } from "../../lib/clouds/aws/operations.js";
import { hasOwnershipTag, tagValue } from "../../lib/clouds/aws/ownership.js";
import { ORIGINAL_GROUPS_TAG_KEY } from "../../lib/clouds/aws/ownership-keys.js";
import { createSdkAwsApiFactory, SdkAwsApi } from "../../lib/clouds/aws/sdk/api.js";
import { compile } from "../../lib/compile/compile.js";
import type { Intent } from "../../lib/compile/model.js";
import { formatNetworkId, parseNetworkId } from "../../lib/inventory/ids.js";
import type { Network, Workload } from "../../lib/inventory/model.js";
import { resolvePolicyDocument } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import { AWS_WRITE_METHODS, type AwsApiMethod } from "../../sim/clouds/aws/api.js";
import { intentAllows, probes } from "../clouds/intent-probes.js";
import { type MotoServer, skipWithoutMoto, startMotoServer } from "../support/moto-server.js";
import { AWS_OWNERSHIP } from "../support/seals.js";

const CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };
/** moto's default account, reached with the caller's credentials. */
const MAIN: AwsLocation = { account: "123456789012", region: "eu-west-1" };
/** A second account in another region, reached through STS AssumeRole (moto keeps one estate per account). */
const OTHER: AwsLocation = { account: "210987654321", region: "us-east-1" };
const LOCATIONS = [MAIN, OTHER];
const ROLE_ARN = `arn:aws:iam::${OTHER.account}:role/segsync`;

type VpcKey = "a1" | "a2" | "b1";
const VPCS: Record<VpcKey, { location: AwsLocation; cidr: string; subnet: string }> = {
  a1: { location: MAIN, cidr: "10.1.0.0/16", subnet: "10.1.1.0/24" },
  a2: { location: MAIN, cidr: "10.2.0.0/16", subnet: "10.2.1.0/24" },
  b1: { location: OTHER, cidr: "10.3.0.0/16", subnet: "10.3.1.0/24" },
};

/** The customers' own groups, with their own rules; `self` and `group:<key>` are resolved at creation. */
type CustomerGroupKey =
  | "legacy-ssh"
  | "app-legacy"
  | "db-legacy"
  | "segsync-imposter"
  | "a2-admin"
  | "b-legacy";
interface CustomerRule {
  readonly protocol: string;
  readonly ports?: readonly [number, number];
  readonly source: string;
}
const CUSTOMER_GROUPS: Record<CustomerGroupKey, { vpc: VpcKey; rules: readonly CustomerRule[] }> = {
  "legacy-ssh": { vpc: "a1", rules: [{ protocol: "tcp", ports: [22, 22], source: "0.0.0.0/0" }] },
  "app-legacy": {
    vpc: "a1",
    rules: [
      { protocol: "tcp", ports: [8080, 8080], source: "group:legacy-ssh" },
      { protocol: "tcp", ports: [5432, 5432], source: "prefix-list" },
    ],
  },
  "db-legacy": {
    vpc: "a1",
    rules: [
      { protocol: "tcp", ports: [5432, 5432], source: "group:app-legacy" },
      { protocol: "-1", source: "self" },
    ],
  },
  // Named like an owned group but without the ownership tag: segsync must never change it.
  "segsync-imposter": { vpc: "a2", rules: [{ protocol: "tcp", ports: [0, 65535], source: "10.0.0.0/8" }] },
  "a2-admin": {
    vpc: "a2",
    rules: [
      { protocol: "tcp", ports: [22, 22], source: "10.0.0.0/8" },
      { protocol: "icmp", ports: [-1, -1], source: "prefix-list" },
    ],
  },
  "b-legacy": {
    vpc: "b1",
    rules: [
      { protocol: "tcp", ports: [3306, 3306], source: "172.16.0.0/12" },
      { protocol: "-1", source: "self" },
    ],
  },
};
/** The customer's managed prefix list (account MAIN), referenced by its groups. */
const CUSTOMER_PREFIX_LIST = { name: "corp-partners", entries: ["198.18.0.0/24", "198.18.1.0/24"] };

interface InstanceSpec {
  readonly name: string;
  readonly vpc: VpcKey;
  readonly ip: string;
  readonly public?: true;
  readonly stopped?: true;
  readonly labels?: Readonly<Record<string, string>>;
  readonly groups?: readonly CustomerGroupKey[];
}
const SHOP = { app: "shop", env: "prod" };
const INSTANCES: readonly InstanceSpec[] = [
  {
    name: "web-a1-1",
    vpc: "a1",
    ip: "10.1.1.11",
    public: true,
    labels: { ...SHOP, role: "web" },
    groups: ["legacy-ssh"],
  },
  {
    name: "web-a1-2",
    vpc: "a1",
    ip: "10.1.1.12",
    labels: { ...SHOP, role: "web" },
    groups: ["legacy-ssh", "app-legacy"],
  },
  { name: "api-a1-1", vpc: "a1", ip: "10.1.1.21", labels: { ...SHOP, role: "api" }, groups: ["app-legacy"] },
  { name: "api-a1-2", vpc: "a1", ip: "10.1.1.22", public: true, labels: { ...SHOP, role: "api" } },
  { name: "db-a1-1", vpc: "a1", ip: "10.1.1.31", labels: { ...SHOP, role: "db" }, groups: ["db-legacy"] },
  {
    name: "db-a1-2",
    vpc: "a1",
    ip: "10.1.1.32",
    stopped: true,
    labels: { ...SHOP, role: "db" },
    groups: ["db-legacy"],
  },
  {
    name: "prom-a1",
    vpc: "a1",
    ip: "10.1.1.41",
    public: true,
    labels: { app: "monitoring", env: "prod", role: "prometheus" },
  },
  { name: "bastion-a1", vpc: "a1", ip: "10.1.1.51", public: true, groups: ["legacy-ssh"] },
  { name: "blog-a1", vpc: "a1", ip: "10.1.1.61", labels: { app: "blog", env: "dev", role: "web" } },
  { name: "web-a2-1", vpc: "a2", ip: "10.2.1.11", labels: { ...SHOP, role: "web" } },
  { name: "api-a2-1", vpc: "a2", ip: "10.2.1.21", labels: { ...SHOP, role: "api" }, groups: ["a2-admin"] },
  { name: "api-a2-2", vpc: "a2", ip: "10.2.1.22", stopped: true, labels: { ...SHOP, role: "api" } },
  // Enforced, but no rule admits anything to it: it accepts nothing.
  { name: "batch-a2-1", vpc: "a2", ip: "10.2.1.41", labels: { ...SHOP, role: "batch" } },
  {
    name: "db-a2-1",
    vpc: "a2",
    ip: "10.2.1.31",
    labels: { ...SHOP, role: "db" },
    groups: ["segsync-imposter", "a2-admin"],
  },
  { name: "ops-a2", vpc: "a2", ip: "10.2.1.51", groups: ["a2-admin"] },
  { name: "shop-dev-a2", vpc: "a2", ip: "10.2.1.61", labels: { app: "shop", env: "dev", role: "web" } },
  { name: "web-b1-1", vpc: "b1", ip: "10.3.1.11", public: true, labels: { ...SHOP, role: "web" } },
  { name: "api-b1-1", vpc: "b1", ip: "10.3.1.21", labels: { ...SHOP, role: "api" } },
  // Stopping releases its public IP.
  {
    name: "api-b1-2",
    vpc: "b1",
    ip: "10.3.1.22",
    public: true,
    stopped: true,
    labels: { ...SHOP, role: "api" },
  },
  { name: "db-b1-1", vpc: "b1", ip: "10.3.1.31", labels: { ...SHOP, role: "db" }, groups: ["b-legacy"] },
  {
    name: "prom-b1",
    vpc: "b1",
    ip: "10.3.1.41",
    public: true,
    labels: { app: "monitoring", env: "prod", role: "prometheus" },
  },
  { name: "untagged-b1", vpc: "b1", ip: "10.3.1.51", groups: ["b-legacy"] },
  { name: "blog-b1", vpc: "b1", ip: "10.3.1.61", labels: { app: "blog", env: "dev", role: "db" } },
  // Only one dimension: labelled (a source to others) but in no scope.
  { name: "partial-b1", vpc: "b1", ip: "10.3.1.71", labels: { app: "shop" } },
];
/** The running shop-prod instances in AWS: exactly these are enforced. */
const ENFORCED = [
  "web-a1-1",
  "web-a1-2",
  "api-a1-1",
  "api-a1-2",
  "db-a1-1",
  "web-a2-1",
  "api-a2-1",
  "db-a2-1",
  "batch-a2-1",
  "web-b1-1",
  "api-b1-1",
  "db-b1-1",
];

/** Workloads in other clouds: remote sources seen from AWS by their public IPs (or not at all). */
const AZURE_VNET = "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-net:vnet-mon";
const GCP_NET = "gcp:shop-prod:prod-net";
const REMOTE: readonly Workload[] = [
  {
    id: "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-mon:prom-az",
    state: "running",
    nics: [{ network: AZURE_VNET, privateIp: "10.20.0.4", publicIp: "20.50.0.4" }],
    tags: { "seg-app": "monitoring", "seg-env": "prod", "seg-role": "prometheus" },
  },
  {
    id: "gcp:shop-prod:europe-west1-b:web-g1",
    state: "running",
    nics: [{ network: GCP_NET, privateIp: "10.30.0.5", publicIp: "34.90.0.5" }],
    tags: { "seg-app": "shop", "seg-env": "prod", "seg-role": "web" },
  },
  {
    id: "gcp:shop-prod:europe-west1-b:api-g1",
    state: "running",
    nics: [{ network: GCP_NET, privateIp: "10.30.0.6" }],
    tags: { "seg-app": "shop", "seg-env": "prod", "seg-role": "api" },
  },
];
/** Probe sources that are no workload: in and out of the ipList, the NAT address, the customer's list, the internet. */
const OUTSIDE_ADDRESSES = [
  "10.8.1.1",
  "10.8.255.254",
  "192.168.50.7",
  "192.168.51.7",
  "198.51.100.7",
  "198.18.0.9",
  "203.0.113.10",
  "8.8.8.8",
];
const NAT_ADDRESS = "198.51.100.7";

/** The policy, as a document: v1 first, v2 changes the rules, v3 enforces nothing. */
function policyDocument(vpcIds: Record<VpcKey, string>, version: "v1" | "v2" | "v3") {
  const network = (key: VpcKey) =>
    formatNetworkId({ cloud: "aws", ...VPCS[key].location, vpcId: vpcIds[key] });
  const rules = {
    webToApi: { from: { role: "web" }, to: { role: "api" }, services: ["tcp/8080"] },
    apiToDb: { from: { role: "api" }, to: { role: "db" }, services: ["postgres"] },
    apiGossip: { from: { role: "api" }, to: { role: "api" }, services: ["udp/7946-7947"] },
    vpnToWeb: { from: { ipList: "corp-vpn" }, to: { role: "web" }, services: ["web", "icmp"] },
    monitoring: {
      from: { app: "monitoring", role: "prometheus" },
      extraScope: true,
      to: { role: ["web", "api", "db"] },
      services: ["tcp/9100"],
    },
    webToDb: { from: { role: "web" }, to: { role: "db" }, services: ["tcp/6379"] },
  };
  const shopRules =
    version === "v1"
      ? [rules.webToApi, rules.apiToDb, rules.apiGossip, rules.vpnToWeb, rules.monitoring]
      : // v2 drops web → api and the extraScope monitoring rule, and adds web → db.
        [rules.apiToDb, rules.apiGossip, rules.vpnToWeb, rules.webToDb];
  return {
    apiVersion: "segsync/v1",
    kind: "Policy",
    labels: { tagPrefix: "seg-", dimensions: ["app", "env", "role"] },
    services: { web: ["tcp/80", "tcp/443"], postgres: ["tcp/5432"] },
    ipLists: { "corp-vpn": ["10.8.0.0/16", "192.168.50.0/24"] },
    networks: { connected: [[network("a1"), network("a2")]], nat: { [network("b1")]: [NAT_ADDRESS] } },
    attachment: "exclusive",
    rulesets: [
      {
        name: "shop-prod",
        scope: SHOP,
        // v3 enforces nothing: segsync gives every ENI back and deletes what it owns.
        enforcement: version === "v3" ? "visibility" : "enforced",
        rules: shopRules,
      },
      {
        name: "blog",
        scope: { app: "blog" },
        enforcement: "visibility",
        rules: [{ from: { role: "web" }, to: { role: "db" }, services: ["tcp/3306"] }],
      },
    ],
  };
}

function resolvePolicy(document: unknown): Policy {
  const resolved = resolvePolicyDocument(document);
  if (!resolved.ok) throw new Error(`invalid test policy: ${JSON.stringify(resolved.issues)}`);
  return resolved.policy;
}

/** Counts the port's write calls, per location, as the pipeline makes them. */
function countingFactory(factory: AwsApiFactory, writes: string[]): AwsApiFactory {
  const proxies = new Map<string, AwsApi>();
  return (location) => {
    const key = locationKey(location);
    let proxy = proxies.get(key);
    if (proxy === undefined) {
      proxy = new Proxy(factory(location), {
        get(target, property, receiver) {
          const value: unknown = Reflect.get(target, property, receiver);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            if (AWS_WRITE_METHODS.has(property as AwsApiMethod)) writes.push(`${key} ${String(property)}`);
            return value.apply(target, args);
          };
        },
      });
      proxies.set(key, proxy);
    }
    return proxy;
  };
}

function clientOf(api: AwsApi): EC2Client {
  if (!(api instanceof SdkAwsApi)) throw new Error("not an SdkAwsApi");
  return api.client;
}

interface Estate {
  readonly vpcIds: Record<VpcKey, string>;
  /** instance name → instance id */
  readonly instanceIds: Map<string, string>;
  readonly customerGroupIds: Record<CustomerGroupKey, string>;
  readonly customerPrefixListId: string;
}

async function buildEstate(apiFor: AwsApiFactory): Promise<Estate> {
  const vpcIds = {} as Record<VpcKey, string>;
  const subnetIds = {} as Record<VpcKey, string>;
  for (const [key, vpc] of Object.entries(VPCS) as [VpcKey, (typeof VPCS)[VpcKey]][]) {
    const client = clientOf(apiFor(vpc.location));
    const created = await client.send(new CreateVpcCommand({ CidrBlock: vpc.cidr }));
    vpcIds[key] = created.Vpc?.VpcId ?? "";
    const subnet = await client.send(new CreateSubnetCommand({ VpcId: vpcIds[key], CidrBlock: vpc.subnet }));
    subnetIds[key] = subnet.Subnet?.SubnetId ?? "";
  }

  const main = clientOf(apiFor(MAIN));
  const list = await main.send(
    new CreateManagedPrefixListCommand({
      PrefixListName: CUSTOMER_PREFIX_LIST.name,
      AddressFamily: "IPv4",
      MaxEntries: 5,
      Entries: CUSTOMER_PREFIX_LIST.entries.map((Cidr) => ({ Cidr, Description: "partner" })),
    }),
  );
  const customerPrefixListId = list.PrefixList?.PrefixListId ?? "";

  const customerGroupIds = {} as Record<CustomerGroupKey, string>;
  const groups = Object.entries(CUSTOMER_GROUPS) as [
    CustomerGroupKey,
    (typeof CUSTOMER_GROUPS)[CustomerGroupKey],
  ][];
  for (const [name, group] of groups) {
    const client = clientOf(apiFor(VPCS[group.vpc].location));
    const created = await client.send(
      new CreateSecurityGroupCommand({
        GroupName: name,
        Description: `customer ${name}`,
        VpcId: vpcIds[group.vpc],
      }),
    );
    customerGroupIds[name] = created.GroupId ?? "";
  }
  for (const [name, group] of groups) {
    const client = clientOf(apiFor(VPCS[group.vpc].location));
    const permissions = group.rules.map((rule): SdkIpPermission => {
      const source = rule.source;
      return {
        IpProtocol: rule.protocol,
        ...(rule.ports ? { FromPort: rule.ports[0], ToPort: rule.ports[1] } : {}),
        ...(source === "self"
          ? { UserIdGroupPairs: [{ GroupId: customerGroupIds[name], Description: "peers" }] }
          : source.startsWith("group:")
            ? {
                UserIdGroupPairs: [
                  { GroupId: customerGroupIds[source.slice(6) as CustomerGroupKey], Description: "legacy" },
                ],
              }
            : source === "prefix-list"
              ? { PrefixListIds: [{ PrefixListId: customerPrefixListId }] }
              : { IpRanges: [{ CidrIp: source, Description: "customer" }] }),
      };
    });
    await client.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: customerGroupIds[name],
        IpPermissions: permissions,
      }),
    );
  }

  const instanceIds = new Map<string, string>();
  const images = new Map<string, string>();
  for (const spec of INSTANCES) {
    const location = VPCS[spec.vpc].location;
    const client = clientOf(apiFor(location));
    let imageId = images.get(location.region);
    if (imageId === undefined) {
      imageId = (await client.send(new DescribeImagesCommand({}))).Images?.[0]?.ImageId ?? "";
      images.set(location.region, imageId);
    }
    const tags = [
      { Key: "Name", Value: spec.name },
      ...Object.entries(spec.labels ?? {}).map(([dimension, value]) => ({
        Key: `seg-${dimension}`,
        Value: value,
      })),
    ];
    // One reservation per instance: moto pages DescribeInstances by reservation.
    const launched = await client.send(
      new RunInstancesCommand({
        ImageId: imageId,
        MinCount: 1,
        MaxCount: 1,
        NetworkInterfaces: [
          {
            DeviceIndex: 0,
            SubnetId: subnetIds[spec.vpc],
            PrivateIpAddress: spec.ip,
            AssociatePublicIpAddress: spec.public === true,
            ...(spec.groups ? { Groups: spec.groups.map((group) => customerGroupIds[group]) } : {}),
          },
        ],
        TagSpecifications: [{ ResourceType: "instance", Tags: tags }],
      }),
    );
    const instanceId = launched.Instances?.[0]?.InstanceId ?? "";
    instanceIds.set(spec.name, instanceId);
    if (spec.stopped) await client.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
  }
  return { vpcIds, instanceIds, customerGroupIds, customerPrefixListId };
}

/** Everything in the estate's VPCs as moto describes it, owned or not. */
interface Snapshot {
  readonly interfaces: Map<string, NetworkInterface>;
  readonly groups: SecurityGroup[];
  readonly customerPrefixList: ManagedPrefixList;
  /** The account's prefix lists that carry the ownership tag or an owned name. */
  readonly ownedPrefixLists: string[];
}

async function snapshot(apiFor: AwsApiFactory, estate: Estate): Promise<Snapshot> {
  const interfaces = new Map<string, NetworkInterface>();
  const groups: SecurityGroup[] = [];
  const ownedPrefixLists: string[] = [];
  for (const location of LOCATIONS) {
    const api = apiFor(location);
    const vpcs = (Object.keys(VPCS) as VpcKey[])
      .filter((key) => VPCS[key].location === location)
      .map((key) => estate.vpcIds[key]);
    for (const eni of await api.describeNetworkInterfaces([{ Name: "vpc-id", Values: vpcs }]))
      interfaces.set(eni.NetworkInterfaceId, eni);
    groups.push(...(await api.describeSecurityGroups([{ Name: "vpc-id", Values: vpcs }])));
    const lists = await api.describeManagedPrefixLists([{ Name: "owner-id", Values: [location.account] }]);
    // moto lists a deleted prefix list once more, as delete-complete: that one is gone.
    ownedPrefixLists.push(
      ...lists
        .filter((list) => list.State !== "delete-complete")
        .filter((list) => hasOwnershipTag(list.Tags) || list.PrefixListName.startsWith("segsync-"))
        .map((list) => list.PrefixListId),
    );
  }
  const main = apiFor(MAIN);
  const [summary] = await main.describeManagedPrefixLists([
    { Name: "prefix-list-id", Values: [estate.customerPrefixListId] },
  ]);
  if (summary === undefined) throw new Error("the customer's prefix list is gone");
  const customerPrefixList = {
    ...summary,
    Entries: await main.getManagedPrefixListEntries(estate.customerPrefixListId),
  };
  return {
    interfaces,
    groups: groups.sort((a, b) => a.GroupId.localeCompare(b.GroupId)),
    customerPrefixList,
    ownedPrefixLists,
  };
}

interface Reconciled {
  readonly policy: Policy;
  readonly intent: Intent;
  readonly desired: AwsDesired;
  readonly plan: AwsOperation[];
  /** The port's write calls during the whole reconcile, discovery included. */
  readonly writes: string[];
  /** EC2 requests on the wire, other than describes and gets, during the whole reconcile. */
  readonly wireWrites: number;
  /** Discovery as it was before the plan was applied. */
  readonly workloads: Workload[];
}

/** How the probes of one enforcement check came out, and through which kind of source they were allowed. */
interface ProbeTally {
  allowed: number;
  denied: number;
  bySource: { cidr: number; group: number; prefixList: number };
}

describe.skipIf(skipWithoutMoto("the AWS pipeline integration test against moto"))(
  "the AWS pipeline against moto (3 VPCs, 2 accounts, exclusive attachment)",
  () => {
    let moto: MotoServer | undefined;
    let apiFor: AwsApiFactory;
    let estate: Estate;
    let initial: Snapshot;
    const writes: string[] = [];
    let wireWrites = 0;

    async function discoverAll(
      policy: Policy,
    ): Promise<{ workloads: Workload[]; networks: Network[]; state: AwsState }> {
      const workloads: Workload[] = [];
      const networks: Network[] = [];
      const state: AwsRegionState[] = [];
      for (const location of LOCATIONS) {
        const discovery = await discoverAws(apiFor(location), policy.labels, AWS_OWNERSHIP);
        workloads.push(...discovery.workloads);
        networks.push(...discovery.networks);
        state.push(discovery.state);
      }
      return { workloads, networks, state };
    }

    async function reconcile(policy: Policy): Promise<Reconciled> {
      const writesBefore = writes.length;
      const wireBefore = wireWrites;
      const { workloads, networks, state } = await discoverAll(policy);
      const intent = compile(policy, { workloads: [...workloads, ...REMOTE], networks });
      const desired = materializeAws(intent, state, {
        quotas: DEFAULT_AWS_QUOTAS,
        attachment: policy.attachment,
        ownership: AWS_OWNERSHIP,
      });
      const plan = diffAws(desired, state, AWS_OWNERSHIP);
      await applyAwsPlan(plan, apiFor, AWS_OWNERSHIP);
      return {
        policy,
        intent,
        desired,
        plan,
        writes: writes.slice(writesBefore),
        wireWrites: wireWrites - wireBefore,
        workloads,
      };
    }

    function policyVersion(version: "v1" | "v2" | "v3"): Policy {
      return resolvePolicy(policyDocument(estate.vpcIds, version));
    }

    /** The ENIs of the enforced AWS destinations' members, by ENI id → instance name. */
    function enforcedInterfaces(intent: Intent, state: AwsState): Map<string, string> {
      const names = new Map([...estate.instanceIds].map(([name, id]) => [id, name]));
      const result = new Map<string, string>();
      const enis = state.flatMap((region) => region.networkInterfaces);
      for (const destination of intent.destinations) {
        if (destination.cloud !== "aws" || destination.enforcement !== "enforced") continue;
        const network = parseNetworkId(destination.network);
        if (network.cloud !== "aws") continue;
        const members = new Set(destination.members.map((member) => member.workload.split(":").at(-1)));
        for (const eni of enis) {
          const instanceId = eni.Attachment?.InstanceId;
          if (eni.VpcId === network.vpcId && instanceId !== undefined && members.has(instanceId))
            result.set(eni.NetworkInterfaceId, names.get(instanceId) ?? instanceId);
        }
      }
      return result;
    }

    /** (1) evaluate of what moto holds equals the intent, for every enforced ENI and every probe. */
    async function expectEnforcementEqualsIntent(reconciled: Reconciled): Promise<ProbeTally> {
      const { intent, policy, desired } = reconciled;
      expect(desired.findings.filter((finding) => finding.severity === "error")).toEqual([]);
      const { state } = await discoverAll(policy);
      const reach = evaluateAws(state);
      const owned = new Set(
        state
          .flatMap((region) => region.securityGroups.filter((g) => AWS_OWNERSHIP.ownsGroup(region, g)))
          .map((g) => g.GroupId),
      );
      const addresses = [
        ...new Set([
          ...[...reconciled.workloads, ...REMOTE].flatMap((workload) =>
            workload.nics.flatMap((nic) => [nic.privateIp, ...(nic.publicIp ? [nic.publicIp] : [])]),
          ),
          ...OUTSIDE_ADDRESSES,
        ]),
      ];
      const tally: ProbeTally = { allowed: 0, denied: 0, bySource: { cidr: 0, group: 0, prefixList: 0 } };
      const enis = new Map(
        state.flatMap((region) => region.networkInterfaces).map((eni) => [eni.NetworkInterfaceId, eni]),
      );
      for (const destination of intent.destinations) {
        if (destination.cloud !== "aws" || destination.enforcement !== "enforced") continue;
        const network = parseNetworkId(destination.network);
        if (network.cloud !== "aws") continue;
        const members = new Set(destination.members.map((member) => member.workload.split(":").at(-1)));
        const memberEnis = [...enis.values()].filter(
          (eni) => eni.VpcId === network.vpcId && members.has(eni.Attachment?.InstanceId),
        );
        expect(memberEnis.length, destination.key).toBe(destination.members.length);
        for (const eni of memberEnis) {
          // Exclusive: only owned groups, the destination's first among them.
          expect(
            eni.Groups.every((group) => owned.has(group.GroupId)),
            eni.NetworkInterfaceId,
          ).toBe(true);
          expect(eni.Groups.map((group) => group.GroupName)).toContain(groupName(destination.hash, 1));
          for (const address of addresses) {
            for (const [protocol, port] of probes(policy)) {
              const expected = intentAllows(intent, destination, address, protocol, port);
              const match = reach.explain(eni.NetworkInterfaceId, address, protocol, port);
              const where = `${destination.identity} ${eni.NetworkInterfaceId} ← ${address} ${protocol}/${port}`;
              expect(match !== undefined, where).toBe(expected);
              if (match === undefined) {
                tally.denied += 1;
                continue;
              }
              tally.allowed += 1;
              if (match.permission.UserIdGroupPairs.length > 0) tally.bySource.group += 1;
              else if (match.permission.PrefixListIds.length > 0) tally.bySource.prefixList += 1;
              else tally.bySource.cidr += 1;
            }
          }
        }
      }
      // Owned rules carry segsync's description (moto drops it on prefix-list references: see the top).
      for (const group of state.flatMap((region) =>
        region.securityGroups.filter((g) => AWS_OWNERSHIP.ownsGroup(region, g)),
      )) {
        for (const permission of group.IpPermissions) {
          for (const source of [...permission.IpRanges, ...permission.UserIdGroupPairs])
            expect(source.Description, group.GroupName).toBe("segsync");
        }
      }
      return tally;
    }

    /** (2) the customer's groups, its prefix list and the ENIs segsync does not enforce are as they were. */
    async function expectCustomerObjectsUnchanged(enforced: ReadonlySet<string>): Promise<void> {
      const now = await snapshot(apiFor, estate);
      const customer = (groups: readonly SecurityGroup[]) =>
        groups.filter((group) => !hasOwnershipTag(group.Tags));
      expect(customer(now.groups)).toEqual(customer(initial.groups));
      expect(customer(now.groups).map((group) => group.GroupId)).toEqual(
        expect.arrayContaining(Object.values(estate.customerGroupIds)),
      );
      expect(now.customerPrefixList).toEqual(initial.customerPrefixList);
      const untouched = [...initial.interfaces.keys()].filter((id) => !enforced.has(id));
      expect(untouched.length).toBe(INSTANCES.length - ENFORCED.length);
      for (const id of untouched) expect(now.interfaces.get(id), id).toEqual(initial.interfaces.get(id));
    }

    /** (3) each enforced ENI records the groups it had before segsync. */
    async function expectOriginalGroupsRecorded(enforced: ReadonlySet<string>): Promise<void> {
      const now = await snapshot(apiFor, estate);
      for (const id of enforced) {
        const before = initial.interfaces.get(id)?.Groups.map((group) => group.GroupId) ?? [];
        expect(before.length, id).toBeGreaterThan(0);
        expect(tagValue(now.interfaces.get(id)?.TagSet, ORIGINAL_GROUPS_TAG_KEY), id).toBe(before.join(" "));
      }
    }

    /** (4) a second reconcile plans nothing and writes nothing, not even on the wire. */
    async function expectConverged(policy: Policy): Promise<void> {
      const again = await reconcile(policy);
      expect(again.plan).toEqual([]);
      expect(again.writes).toEqual([]);
      expect(again.wireWrites).toBe(0);
    }

    function kinds(plan: readonly AwsOperation[]): Set<string> {
      return new Set(plan.map((operation) => operation.kind));
    }

    /**
     * The port calls a plan makes: one per operation, and a prefix list's create a second one, the
     * CreateTags of its seal (sealed by id, which exists only once it is created).
     */
    function portCalls(plan: readonly AwsOperation[]): number {
      return plan.length + plan.filter((operation) => operation.kind === "createPrefixList").length;
    }

    beforeAll(async () => {
      moto = await startMotoServer();
      const factory = createSdkAwsApiFactory({
        accounts: [
          { account: MAIN.account, regions: [MAIN.region] },
          { account: OTHER.account, regions: [OTHER.region], roleArn: ROLE_ARN },
        ],
        endpoint: moto.endpoint,
        credentials: CREDENTIALS,
        maxAttempts: 1,
        pageSize: 5,
        prefixListSettle: { pollIntervalMs: 10, timeoutMs: 2_000 },
      });
      for (const location of LOCATIONS) {
        clientOf(factory(location)).middlewareStack.add(
          (next, context) => (args) => {
            if (!/^(Describe|Get)/.test(context.commandName ?? "")) wireWrites += 1;
            return next(args);
          },
          { step: "initialize", name: "countWrites" },
        );
      }
      apiFor = countingFactory(factory, writes);
      estate = await buildEstate(apiFor);
      initial = await snapshot(apiFor, estate);
      expect(initial.interfaces.size).toBe(INSTANCES.length);
      expect(initial.ownedPrefixLists).toEqual([]);
    }, 30_000);

    afterAll(async () => {
      await moto?.stop();
    });

    let first: Reconciled;
    let enforced: Set<string>;

    /**
     * DeleteManagedPrefixList is asynchronous (moto shows a deleted list once more, as
     * delete-complete): a reconcile right after one that deleted lists must not plan them again.
     */
    async function expectDeletedListsForgotten(policy: Policy, previous: Reconciled): Promise<void> {
      expect(previous.plan.some((op) => op.kind === "deletePrefixList")).toBe(true);
      await expectConverged(policy);
    }

    it("discovers the estate through the SDK and plans and applies the policy", async () => {
      const policy = policyVersion("v1");
      first = await reconcile(policy);

      // Discovery: labelled live instances only (untagged ones are never read as workloads).
      const discovered = new Map([...estate.instanceIds].map(([name, id]) => [id, name]));
      expect(first.workloads.map((w) => discovered.get(w.id.split(":").at(-1) ?? "")).sort()).toEqual(
        INSTANCES.filter((spec) => spec.labels)
          .map((spec) => spec.name)
          .sort(),
      );
      expect(first.workloads.filter((w) => w.state === "stopped")).toHaveLength(
        INSTANCES.filter((spec) => spec.stopped).length,
      );
      expect(first.intent.findings.map((finding) => finding.code)).toEqual(
        expect.arrayContaining(["nat-shared-source", "unreachable-source"]),
      );

      // One port call per operation, two for a prefix list's create (and at least one request each
      // on the wire: the counters count).
      expect(first.writes).toHaveLength(portCalls(first.plan));
      expect(first.wireWrites).toBeGreaterThanOrEqual(first.plan.length);
      expect(kinds(first.plan)).toEqual(
        new Set([
          "createPrefixList",
          "createSecurityGroup",
          "authorizeIngress",
          "recordOriginalGroups",
          // Several ENIs of one VPC move: segsync's groups go on beside theirs first (make before break).
          "addInterfaceGroups",
          "setInterfaceGroups",
        ]),
      );
    });

    it("plans nothing and writes nothing the second time", async () => {
      await expectConverged(first.policy);
    });

    it("enforces exactly the intent on exactly the shop-prod ENIs, and leaves the customer's objects alone", async () => {
      const { state } = await discoverAll(first.policy);
      const enforcedNames = enforcedInterfaces(first.intent, state);
      enforced = new Set(enforcedNames.keys());
      expect([...enforcedNames.values()].sort()).toEqual([...ENFORCED].sort());

      const tally = await expectEnforcementEqualsIntent(first);
      // Not vacuous: plenty of both answers, through every kind of source.
      expect(tally.allowed).toBeGreaterThan(100);
      expect(tally.denied).toBeGreaterThan(1_000);
      expect(tally.bySource.group).toBeGreaterThan(0);
      expect(tally.bySource.prefixList).toBeGreaterThan(0);
      expect(tally.bySource.cidr).toBeGreaterThan(0);

      await expectCustomerObjectsUnchanged(enforced);
      await expectOriginalGroupsRecorded(enforced);
    });

    describe("after a policy change (a rule dropped, another added)", () => {
      let second: Reconciled;

      it("revokes and deletes what is no longer wanted", async () => {
        second = await reconcile(policyVersion("v2"));
        const planned = kinds(second.plan);
        expect(planned.has("revokeIngress")).toBe(true);
        expect(planned.has("deletePrefixList")).toBe(true);
        expect(planned.has("authorizeIngress")).toBe(true);
        // Membership did not change, so no list is modified (moto would clear its name: see the top).
        expect(planned.has("modifyPrefixList")).toBe(false);
        // Enforcement stays on the same ENIs: their groups and records are left as they are.
        expect(planned.has("setInterfaceGroups")).toBe(false);
        expect(planned.has("recordOriginalGroups")).toBe(false);
        // A group reference (web → api) is revoked, not only CIDRs and prefix-list references.
        expect(
          second.plan.some(
            (op) => op.kind === "revokeIngress" && op.permissions.some((p) => p.UserIdGroupPairs.length > 0),
          ),
        ).toBe(true);
        expect(second.writes).toHaveLength(portCalls(second.plan));
      });

      it("does not plan to delete again the prefix lists it has just deleted", async () => {
        await expectDeletedListsForgotten(second.policy, second);
      });

      it("enforces exactly the new intent, and converges", async () => {
        await expectEnforcementEqualsIntent(second);
        const { state } = await discoverAll(second.policy);
        expect(new Set(enforcedInterfaces(second.intent, state).keys())).toEqual(enforced);
        await expectCustomerObjectsUnchanged(enforced);
        await expectOriginalGroupsRecorded(enforced);
        await expectConverged(second.policy);
      });
    });

    describe("when nothing is enforced any more", () => {
      let third: Reconciled;

      it("detaches, restores, forgets and deletes", async () => {
        third = await reconcile(policyVersion("v3"));
        // Groups go in reference order; a revoke appears only to break a loop of references.
        const planned = kinds(third.plan);
        for (const kind of [
          "setInterfaceGroups",
          "forgetOriginalGroups",
          "deleteSecurityGroup",
          "deletePrefixList",
        ]) {
          expect(planned).toContain(kind);
        }
        for (const kind of planned) {
          expect([
            "addInterfaceGroups",
            "setInterfaceGroups",
            "revokeIngress",
            "forgetOriginalGroups",
            "deleteSecurityGroup",
            "deletePrefixList",
          ]).toContain(kind);
        }
        expect(third.writes).toHaveLength(portCalls(third.plan));
      });

      it("does not plan to delete again the prefix lists it has just deleted", async () => {
        await expectDeletedListsForgotten(third.policy, third);
      });

      it("gives every ENI its original groups back and leaves nothing it owned", async () => {
        const now = await snapshot(apiFor, estate);
        // Every ENI, enforced before or not, is exactly as it was: original groups, no record tag.
        expect(now.interfaces).toEqual(initial.interfaces);
        for (const id of enforced)
          expect(tagValue(now.interfaces.get(id)?.TagSet, ORIGINAL_GROUPS_TAG_KEY), id).toBeUndefined();
        // No owned group or prefix list is left; the customer's are as they were.
        expect(
          now.groups.filter((group) => hasOwnershipTag(group.Tags) || group.GroupName.startsWith("segsync-")),
        ).toEqual(initial.groups.filter((group) => group.GroupName === "segsync-imposter"));
        expect(now.groups).toEqual(initial.groups);
        expect(now.ownedPrefixLists).toEqual([]);
        expect(now.customerPrefixList).toEqual(initial.customerPrefixList);
        await expectConverged(third.policy);
      });
    });
  },
);
