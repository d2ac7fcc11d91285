/**
 * The CloudProvider contract (lib/clouds/provider.ts), written once and run over every cloud and
 * every implementation of its connection: the simulator's, and the SDK adapter's against moto or a
 * local HTTP fake (provider.test.ts). Each case starts from a fresh place seeded with the same small
 * estate: three shop-prod workloads (web, api, db) and one workload without segsync labels (ops),
 * in one network.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CloudFinding, CloudProvider, OperationSummary } from "../../lib/clouds/provider.js";
import { compile } from "../../lib/compile/compile.js";
import type { Intent } from "../../lib/compile/model.js";
import type { Cloud, Network, NetworkId, Workload, WorkloadId } from "../../lib/inventory/model.js";
import { cidrContains } from "../../lib/net/cidr.js";
import { resolvePolicyDocument } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import { servicesAdmit } from "../../lib/policy/services.js";
import { intentAllows, probes } from "../clouds/intent-probes.js";
import { NotRun } from "./not-run.js";

export type ContractName = "web" | "api" | "db" | "ops";

/** The seeded workloads: the last octet of each address, and its tags (GCP: labels). */
export const CONTRACT_ESTATE: Readonly<Record<ContractName, { host: number; tags: Record<string, string> }>> =
  {
    web: { host: 11, tags: { "seg-app": "shop", "seg-env": "prod", "seg-role": "web" } },
    api: { host: 21, tags: { "seg-app": "shop", "seg-env": "prod", "seg-role": "api" } },
    db: { host: 31, tags: { "seg-app": "shop", "seg-env": "prod", "seg-role": "db" } },
    // No segsync label: not a workload segsync reads.
    ops: { host: 51, tags: { owner: "ops" } },
  };
const LABELLED = ["web", "api", "db"] as const;

/** The seeded workloads as discovery must read them: each running, with one NIC in `network`. */
export function contractWorkloads(
  idOf: (name: ContractName) => string,
  network: string,
  addressOf: (name: ContractName) => string,
): Record<ContractName, Workload> {
  const names = Object.keys(CONTRACT_ESTATE) as ContractName[];
  return Object.fromEntries(
    names.map((name): [ContractName, Workload] => [
      name,
      {
        id: idOf(name),
        state: "running",
        nics: [{ network, privateIp: addressOf(name) }],
        tags: CONTRACT_ESTATE[name].tags,
      },
    ]),
  ) as Record<ContractName, Workload>;
}

/** What a seeding made: the connection to it, and what discovery must read back. */
export interface SeededPlace<Connection> {
  readonly connection: Connection;
  /** Each seeded workload as discovery reads it (running, one NIC), but for its NIC's cloud id. */
  readonly workloads: Readonly<Record<ContractName, Workload>>;
  readonly network: NetworkId;
  /** A workload id in the seeded place that names nothing. */
  readonly goneWorkload: WorkloadId;
  /** A network of the same cloud in a place the connection does not manage. */
  readonly unmanagedNetwork: NetworkId;
}

export type ContractCase =
  | "discover"
  | "discoverWorkload"
  | "narrow"
  | "materialize"
  | "apply"
  | "evaluate"
  | "evaluateEgress"
  | "refused"
  | "accounting";

/** The subject of a cloud's provider, its types read off the provider. */
export type SubjectOf<P> =
  P extends CloudProvider<infer State, infer Desired, infer Operation, infer Connection>
    ? ProviderSubject<State, Desired, Operation, Connection>
    : never;

export interface ProviderSubject<
  State,
  Desired extends { readonly findings: readonly CloudFinding[] },
  Operation,
  Connection,
> {
  /** "AWS simulator", "AWS SDK on moto", … */
  readonly name: string;
  readonly provider: CloudProvider<State, Desired, Operation, Connection>;
  /** Once before the cases (a server to start, say). */
  readonly start?: () => Promise<void>;
  readonly stop?: () => Promise<void>;
  /** A fresh place holding CONTRACT_ESTATE, and nothing segsync wrote. */
  readonly seed: () => Promise<SeededPlace<Connection>>;
  /** Deletes a seeded workload (its VM or instance and NIC) behind segsync's back. */
  readonly removeWorkload: (name: ContractName) => Promise<void>;
  /** The cases this implementation cannot run, each with why: skipped, with the reason in its title. */
  readonly cannot?: Partial<Record<ContractCase, string>>;
}

/** Three rules inside shop-prod (web → api, api → db, the VPN → web); `visibility` enforces none. */
export function contractPolicy(enforcement: "enforced" | "visibility" = "enforced"): Policy {
  const resolved = resolvePolicyDocument({
    apiVersion: "segsync/v1",
    kind: "Policy",
    labels: { tagPrefix: "seg-", dimensions: ["app", "env", "role"] },
    ipLists: { "corp-vpn": ["10.8.0.0/16"] },
    networks: { connected: [], nat: {} },
    attachment: "exclusive",
    rulesets: [
      {
        name: "shop-prod",
        scope: { app: "shop", env: "prod" },
        enforcement,
        rules: [
          { from: { role: "web" }, to: { role: "api" }, services: ["tcp/8080"] },
          { from: { role: "api" }, to: { role: "db" }, services: ["tcp/5432"] },
          { from: { ipList: "corp-vpn" }, to: { role: "web" }, services: ["tcp/443"] },
        ],
      },
    ],
  });
  if (!resolved.ok) throw new Error(`the contract policy is invalid: ${JSON.stringify(resolved.issues)}`);
  return resolved.policy;
}

/**
 * The contract policy with shop-prod's egress enforced (v2), and db allowed to open tcp/443 to
 * the backup ipList: web may open api, api may open db, db may open the backup addresses.
 */
export function contractEgressPolicy(): Policy {
  const resolved = resolvePolicyDocument({
    apiVersion: "segsync/v1",
    kind: "Policy",
    labels: { tagPrefix: "seg-", dimensions: ["app", "env", "role"] },
    ipLists: { "corp-vpn": ["10.8.0.0/16"], backup: ["192.0.2.0/24"] },
    networks: { connected: [], nat: {} },
    attachment: "exclusive",
    rulesets: [
      {
        name: "shop-prod",
        scope: { app: "shop", env: "prod" },
        enforcement: "enforced",
        egress: "enforced",
        rules: [
          { from: { role: "web" }, to: { role: "api" }, services: ["tcp/8080"] },
          { from: { role: "api" }, to: { role: "db" }, services: ["tcp/5432"] },
          { from: { ipList: "corp-vpn" }, to: { role: "web" }, services: ["tcp/443"] },
          { from: { role: "db" }, to: { ipList: "backup" }, services: ["tcp/443"] },
        ],
      },
    ],
  });
  if (!resolved.ok)
    throw new Error(`the contract egress policy is invalid: ${JSON.stringify(resolved.issues)}`);
  return resolved.policy;
}

/**
 * The clouds whose evaluators model egress (Reachability.explainEgress): the evaluateEgress case
 * requires it of them, and of the others checks only that it is absent (egress open).
 */
const EGRESS_CLOUDS: readonly Cloud[] = ["aws", "azure", "gcp"];

const POLICY = contractPolicy();
const LABELS = POLICY.labels;

/** A network of another cloud: narrowing to it leaves no place of this one. */
const FOREIGN_NETWORKS: Record<Cloud, NetworkId> = {
  aws: "gcp:contract-other:other-net",
  azure: "aws:999999999999:eu-north-1:vpc-0f0f0f0f",
  gcp: "azure:00000000-0000-4000-8000-000000000000:rg-other:vnet-other",
};

/** discover, compile, materialize, diff: what a full sync plans. */
async function planOf<
  State,
  Desired extends { readonly findings: readonly CloudFinding[] },
  Operation,
  Connection,
>(provider: CloudProvider<State, Desired, Operation, Connection>, connection: Connection, policy: Policy) {
  const discovery = await provider.discover(connection, policy.labels);
  const intent = compile(policy, { workloads: discovery.workloads, networks: discovery.networks });
  const desired = provider.materialize(intent, discovery.state, policy);
  return { discovery, intent, desired, plan: provider.diff(desired, discovery.state) };
}

/** Applies without onRefused (the first failure stops it); returns what onApplied was told, in order. */
async function applyAll<
  State,
  Desired extends { readonly findings: readonly CloudFinding[] },
  Operation,
  Connection,
>(
  provider: CloudProvider<State, Desired, Operation, Connection>,
  operations: readonly Operation[],
  connection: Connection,
): Promise<Operation[]> {
  const applied: Operation[] = [];
  await provider.apply(operations, connection, (operation) => applied.push(operation));
  return applied;
}

/** One case: its title, and its body run on a freshly seeded place. */
interface ContractCaseSpec<
  State,
  Desired extends { readonly findings: readonly CloudFinding[] },
  Operation,
  Connection,
> {
  readonly title: string;
  readonly run: (
    subject: ProviderSubject<State, Desired, Operation, Connection>,
    seeded: SeededPlace<Connection>,
  ) => Promise<void>;
}

export function describeCloudProviderContract<
  State,
  Desired extends { readonly findings: readonly CloudFinding[] },
  Operation,
  Connection,
>(subject: ProviderSubject<State, Desired, Operation, Connection>): void {
  const cases = contractCases<State, Desired, Operation, Connection>();
  describe(`CloudProvider contract: ${subject.name}`, () => {
    let seeded: SeededPlace<Connection>;

    beforeAll(async () => {
      await subject.start?.();
      return async () => {
        await subject.stop?.();
      };
    }, 60_000);

    beforeEach(async () => {
      seeded = await subject.seed();
    }, 60_000);

    const notRun = new NotRun(subject.name, Object.values(subject.cannot ?? {}));
    for (const [name, spec] of Object.entries(cases) as [ContractCase, (typeof cases)[ContractCase]][]) {
      notRun.case(subject.cannot?.[name], spec.title, () => spec.run(subject, seeded), 60_000);
    }
    notRun.report();
  });
}

function contractCases<
  State,
  Desired extends { readonly findings: readonly CloudFinding[] },
  Operation,
  Connection,
>(): Record<ContractCase, ContractCaseSpec<State, Desired, Operation, Connection>> {
  return {
    discover: {
      title: "discover reads every labelled workload and its network, with no finding",
      run: discoverCase,
    },
    discoverWorkload: {
      title: "discoverWorkload re-reads one workload, and says undefined when it is gone",
      run: discoverWorkloadCase,
    },
    narrow: { title: "narrow keeps only the places named, by network or by workload", run: narrowCase },
    materialize: { title: "materialize plans only the places the state holds", run: materializeCase },
    apply: {
      title: "apply runs the plan in order, one onApplied each, and a fresh plan is empty",
      run: applyCase,
    },
    evaluate: {
      title: "after apply, evaluate(state) admits exactly what the intent grants",
      run: evaluateCase,
    },
    evaluateEgress: {
      title:
        "after apply with enforced egress, explainEgress lets each source open exactly what the intent's egress opens",
      run: evaluateEgressCase,
    },
    refused: {
      title:
        "an operation on a workload gone since the plan is refused through onRefused, and the plan goes on",
      run: refusedCase,
    },
    accounting: {
      title: "removedRules, ownedRules, placeOf and summarize agree with the state",
      run: accountingCase,
    },
  };
}

type Run = <State, Desired extends { readonly findings: readonly CloudFinding[] }, Operation, Connection>(
  subject: ProviderSubject<State, Desired, Operation, Connection>,
  seeded: SeededPlace<Connection>,
) => Promise<void>;

const discoverCase: Run = async ({ provider }, seeded) => {
  const discovery = await provider.discover(seeded.connection, LABELS);
  const byId = new Map(discovery.workloads.map((w) => [w.id, w]));
  for (const name of LABELLED) {
    const found = byId.get(seeded.workloads[name].id);
    expect(found && withoutNicIds(found)).toEqual(seeded.workloads[name]);
  }
  expect(byId.has(seeded.workloads.ops.id)).toBe(false);
  expect(discovery.networks.map((n) => n.id)).toContain(seeded.network);
  expect(discovery.findings).toEqual([]);
};

const discoverWorkloadCase: Run = async ({ provider }, seeded) => {
  const discovered = (await provider.discover(seeded.connection, LABELS)).workloads;
  const web = discovered.find((w) => w.id === seeded.workloads.web.id);
  expect(web).toBeDefined();
  expect(await provider.discoverWorkload(seeded.connection, seeded.workloads.web.id, LABELS)).toEqual(web);
  expect(await provider.discoverWorkload(seeded.connection, seeded.goneWorkload, LABELS)).toBeUndefined();
};

const narrowCase: Run = async ({ provider }, seeded) => {
  const idsOf = async (connection: typeof seeded.connection) =>
    (await provider.discover(connection, LABELS)).workloads.map((w) => w.id).sort();
  const all = await idsOf(seeded.connection);
  expect(all.length).toBeGreaterThanOrEqual(LABELLED.length);
  const narrow = (networks: NetworkId[], workloads: WorkloadId[] = []) =>
    idsOf(provider.narrow(seeded.connection, networks, workloads));
  expect(await narrow([seeded.network])).toEqual(all);
  expect(await narrow([], [seeded.workloads.db.id])).toEqual(all);
  expect(await narrow([seeded.unmanagedNetwork])).toEqual([]);
  expect(await narrow([FOREIGN_NETWORKS[provider.cloud]])).toEqual([]);
  expect(await narrow([])).toEqual([]);
};

const materializeCase: Run = async ({ provider }, seeded) => {
  const { intent } = await planOf(provider, seeded.connection, POLICY);
  expect(enforcedDestinations(intent, provider.cloud).length).toBe(LABELLED.length);
  const none = await provider.discover(provider.narrow(seeded.connection, []), LABELS);
  const desired = provider.materialize(intent, none.state, POLICY);
  expect(desired.findings).toEqual([]);
  expect(provider.diff(desired, none.state)).toEqual([]);
};

const applyCase: Run = async ({ provider }, seeded) => {
  const { plan } = await planOf(provider, seeded.connection, POLICY);
  expect(plan.length).toBeGreaterThan(0);
  expect(await applyAll(provider, plan, seeded.connection)).toEqual(plan);
  expect((await planOf(provider, seeded.connection, POLICY)).plan).toEqual([]);
};

const evaluateCase: Run = async ({ provider }, seeded) => {
  await applyAll(provider, (await planOf(provider, seeded.connection, POLICY)).plan, seeded.connection);
  const { discovery, intent } = await planOf(provider, seeded.connection, POLICY);
  const reach = provider.evaluate(discovery.state);
  const addresses = [
    ...Object.values(seeded.workloads).map((w) => w.nics[0]?.privateIp ?? ""),
    "10.8.1.1",
    "192.0.2.7",
  ];
  const disagreements: string[] = [];
  let allowed = 0;
  for (const destination of enforcedDestinations(intent, provider.cloud)) {
    for (const { workload } of destination.members) {
      for (const sourceAddress of addresses) {
        for (const [protocol, port] of probes(POLICY)) {
          const probe = { workload, network: destination.network, sourceAddress, protocol };
          const native = reach.explain(protocol === "icmp" ? probe : { ...probe, port });
          const expected = intentAllows(intent, destination, sourceAddress, protocol, port);
          if (expected) allowed += 1;
          if (expected !== (native !== undefined))
            disagreements.push(`${workload} from ${sourceAddress} ${protocol}/${port}: intent ${expected}`);
        }
      }
    }
  }
  expect(disagreements).toEqual([]);
  // web from the VPN, api from web, db from api: one port each.
  expect(allowed).toBe(3);
};

const evaluateEgressCase: Run = async ({ provider }, seeded) => {
  const policy = contractEgressPolicy();
  await applyAll(provider, (await planOf(provider, seeded.connection, policy)).plan, seeded.connection);
  const { discovery, intent, plan } = await planOf(provider, seeded.connection, policy);
  expect(plan).toEqual([]);
  const reach = provider.evaluate(discovery.state);
  if (!EGRESS_CLOUDS.includes(provider.cloud)) {
    expect(reach.explainEgress).toBeUndefined();
    return;
  }
  const explainEgress = reach.explainEgress?.bind(reach);
  if (explainEgress === undefined) throw new Error(`${provider.cloud}: evaluate models no egress`);
  const addresses = [
    ...Object.values(seeded.workloads).map((w) => w.nics[0]?.privateIp ?? ""),
    "192.0.2.7",
    "8.8.8.8",
  ];
  const disagreements: string[] = [];
  let allowed = 0;
  const entries = (intent.egress ?? []).filter((e) => e.cloud === provider.cloud);
  expect(entries.length).toBe(LABELLED.length);
  for (const entry of entries) {
    for (const { workload } of entry.members) {
      for (const destinationAddress of addresses) {
        for (const [protocol, port] of probes(policy)) {
          const probe = { workload, network: entry.network, destinationAddress, protocol };
          const native = explainEgress(protocol === "icmp" ? probe : { ...probe, port });
          const expected = entry.opens.some(
            (grant) =>
              servicesAdmit(grant.services, protocol, port) &&
              grant.target.cidrs.some((cidr) => cidrContains(cidr, destinationAddress)),
          );
          if (expected) allowed += 1;
          if (expected !== (native !== undefined))
            disagreements.push(
              `${workload} to ${destinationAddress} ${protocol}/${port}: intent ${expected}`,
            );
        }
      }
    }
  }
  expect(disagreements).toEqual([]);
  // web to api, api to db, db to the backup address: one port each.
  expect(allowed).toBe(3);
};

const refusedCase: Run = async (subject, seeded) => {
  const { provider } = subject;
  const { plan } = await planOf(provider, seeded.connection, POLICY);
  await subject.removeWorkload("db");
  const applied: unknown[] = [];
  const refused: unknown[] = [];
  await provider.apply(
    plan,
    seeded.connection,
    (operation) => applied.push(operation),
    (operation) => refused.push(operation),
  );
  expect(refused.length).toBeGreaterThan(0);
  expect(applied.length).toBeGreaterThan(0);
  const reported = [...applied, ...refused];
  expect(reported).toHaveLength(plan.length);
  expect(new Set(reported)).toEqual(new Set(plan));
  // The next plan converges.
  await applyAll(provider, (await planOf(provider, seeded.connection, POLICY)).plan, seeded.connection);
  expect((await planOf(provider, seeded.connection, POLICY)).plan).toEqual([]);
};

const accountingCase: Run = async ({ provider }, seeded) => {
  const first = await planOf(provider, seeded.connection, POLICY);
  const places = new Set(first.plan.map((operation) => provider.placeOf(operation)));
  expect(places.size).toBe(1);
  const [place] = [...places] as [string];
  expect(provider.ownedRules(first.discovery.state)[place] ?? 0).toBe(0);
  for (const operation of first.plan) {
    expect(provider.removedRules(operation, first.discovery.state)).toBe(0);
    expect(provider.summarize(operation, first.discovery.state).cloud).toBe(provider.cloud);
  }
  await applyAll(provider, first.plan, seeded.connection);

  const removal = await planOf(provider, seeded.connection, contractPolicy("visibility"));
  const owned = provider.ownedRules(removal.discovery.state);
  expect(Object.keys(owned)).toEqual([place]);
  expect(owned[place]).toBeGreaterThan(0);
  let removed = 0;
  for (const operation of removal.plan) {
    expect(provider.placeOf(operation)).toBe(place);
    const count = provider.removedRules(operation, removal.discovery.state);
    const summary = provider.summarize(operation, removal.discovery.state);
    expect(summary.cloud).toBe(provider.cloud);
    if (count > 0) expect(summary.narrows).toBe(true);
    removed += count;
  }
  // Removing everything segsync owns removes at least every rule it owned.
  expect(removed).toBeGreaterThanOrEqual(owned[place] ?? 0);
  await applyAll(provider, removal.plan, seeded.connection);
  const after = await provider.discover(seeded.connection, LABELS);
  expect(provider.ownedRules(after.state)).toEqual({ [place]: 0 });
};

/** The workload without its NICs' cloud ids (ENI, NIC), which only the cloud assigns. */
function withoutNicIds(workload: Workload): Workload {
  return { ...workload, nics: workload.nics.map(({ id: _id, ...nic }) => nic) };
}

function enforcedDestinations(intent: Intent, cloud: Cloud) {
  return intent.destinations.filter(
    (d) => d.enforcement === "enforced" && d.members.some((m) => m.workload.startsWith(`${cloud}:`)),
  );
}

/**
 * Two implementations of one cloud, seeded alike, must plan alike: the same operations (as
 * summarize shows them) for the same estate, the same read after applying them, and the same
 * removal plan.
 */
export function describeImplementationsAgree<
  State,
  Desired extends { readonly findings: readonly CloudFinding[] },
  Operation,
  Connection,
>(
  first: ProviderSubject<State, Desired, Operation, Connection>,
  second: ProviderSubject<State, Desired, Operation, Connection>,
  options: {
    /**
     * Makes what each read and planned comparable (ids only the cloud assigns, say); `read`: the
     * workloads as the first discovery read them, with their NICs' ids.
     */
    readonly comparable?: (
      seen: Agreement,
      seeded: SeededPlace<Connection>,
      read: readonly Workload[],
    ) => unknown;
  } = {},
): void {
  const { comparable = (seen: Agreement) => seen } = options;
  describe(`CloudProvider: ${first.name} and ${second.name} agree`, () => {
    const title = "the same plan for the same estate, the same read after it, the same removal plan";
    it(title, async () => {
      const seen = [];
      for (const subject of [first, second]) {
        await subject.start?.();
        try {
          const { agreement, seeded, read } = await planAndReadBack(subject);
          seen.push(comparable(agreement, seeded, read));
        } finally {
          await subject.stop?.();
        }
      }
      expect(seen[1]).toEqual(seen[0]);
    }, 120_000);
  });
}

/** What two implementations of a cloud must agree on. */
export interface Agreement {
  readonly plan: readonly OperationSummary[];
  readonly workloads: readonly Workload[];
  /** The seeded network as read after the plan applied. */
  readonly networks: readonly Network[];
  readonly findings: readonly CloudFinding[];
  readonly ownedRules: Readonly<Record<string, number>>;
  /** The plan that removes what segsync wrote. */
  readonly removal: readonly OperationSummary[];
}

/** What a full sync plans and writes on a freshly seeded place, as comparable values. */
async function planAndReadBack<
  State,
  Desired extends { readonly findings: readonly CloudFinding[] },
  Operation,
  Connection,
>(subject: ProviderSubject<State, Desired, Operation, Connection>) {
  const { provider } = subject;
  const seeded = await subject.seed();
  const first = await planOf(provider, seeded.connection, POLICY);
  await applyAll(provider, first.plan, seeded.connection);
  const after = await planOf(provider, seeded.connection, contractPolicy("visibility"));
  const agreement: Agreement = {
    plan: first.plan.map((operation) => provider.summarize(operation, first.discovery.state)),
    workloads: after.discovery.workloads.map(withoutNicIds),
    networks: after.discovery.networks.filter((network) => network.id === seeded.network),
    findings: after.discovery.findings,
    ownedRules: provider.ownedRules(after.discovery.state),
    removal: after.plan.map((operation) => provider.summarize(operation, after.discovery.state)),
  };
  return { agreement, seeded, read: first.discovery.workloads };
}
