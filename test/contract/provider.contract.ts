/**
 * The CloudProvider contract (lib/clouds/provider.ts), written once and run over every cloud and
 * every implementation of its connection: the simulator's, and the SDK adapter's against moto or a
 * local HTTP fake (provider.test.ts). Each case starts from a fresh place seeded with the same small
 * estate: three shop-prod workloads (web, api, db) and one workload without segsync labels (ops),
 * in one network.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CloudFinding, CloudProvider } from "../../lib/clouds/provider.js";
import { compile } from "../../lib/compile/compile.js";
import type { Intent } from "../../lib/compile/model.js";
import type { Cloud, NetworkId, Workload, WorkloadId } from "../../lib/inventory/model.js";
import { resolvePolicyDocument } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import { intentAllows, probes } from "../clouds/intent-probes.js";

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
  | "refused"
  | "accounting";

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

/** A network of another cloud: narrowing to it leaves no place of this one. */
const FOREIGN_NETWORKS: Record<Cloud, NetworkId> = {
  aws: "gcp:contract-other:other-net",
  azure: "aws:999999999999:eu-north-1:vpc-0f0f0f0f",
  gcp: "azure:00000000-0000-4000-8000-000000000000:rg-other:vnet-other",
};

export function describeCloudProviderContract<
  State,
  Desired extends { readonly findings: readonly CloudFinding[] },
  Operation,
  Connection,
>(subject: ProviderSubject<State, Desired, Operation, Connection>): void {
  const { provider } = subject;
  const policy = contractPolicy();
  const labels = policy.labels;

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

    const contractCase = (name: ContractCase, title: string, body: () => Promise<void>) => {
      const why = subject.cannot?.[name];
      if (why !== undefined) it.skip(`${title} (skipped for ${subject.name}: ${why})`, body);
      else it(title, body, 60_000);
    };

    /** discover, compile, materialize, diff: what a full sync plans. */
    const planOf = async (connection: Connection, withPolicy: Policy) => {
      const discovery = await provider.discover(connection, labels);
      const intent = compile(withPolicy, { workloads: discovery.workloads, networks: discovery.networks });
      const desired = provider.materialize(intent, discovery.state, withPolicy);
      return { discovery, intent, desired, plan: provider.diff(desired, discovery.state) };
    };

    const applyAll = async (operations: readonly Operation[], connection: Connection) => {
      const applied: Operation[] = [];
      await provider.apply(operations, connection, (operation) => applied.push(operation));
      return applied;
    };

    contractCase(
      "discover",
      "discover reads every labelled workload and its network, with no finding",
      async () => {
        const discovery = await provider.discover(seeded.connection, labels);
        const byId = new Map(discovery.workloads.map((w) => [w.id, w]));
        for (const name of LABELLED) {
          const found = byId.get(seeded.workloads[name].id);
          expect(found && withoutNicIds(found)).toEqual(seeded.workloads[name]);
        }
        expect(byId.has(seeded.workloads.ops.id)).toBe(false);
        expect(discovery.networks.map((n) => n.id)).toContain(seeded.network);
        expect(discovery.findings).toEqual([]);
      },
    );

    contractCase(
      "discoverWorkload",
      "discoverWorkload re-reads one workload, and says undefined when it is gone",
      async () => {
        const discovered = (await provider.discover(seeded.connection, labels)).workloads;
        const web = discovered.find((w) => w.id === seeded.workloads.web.id);
        expect(web).toBeDefined();
        expect(await provider.discoverWorkload(seeded.connection, seeded.workloads.web.id, labels)).toEqual(
          web,
        );
        expect(
          await provider.discoverWorkload(seeded.connection, seeded.goneWorkload, labels),
        ).toBeUndefined();
      },
    );

    contractCase("narrow", "narrow keeps only the places named, by network or by workload", async () => {
      const idsOf = async (connection: Connection) =>
        (await provider.discover(connection, labels)).workloads.map((w) => w.id).sort();
      const all = await idsOf(seeded.connection);
      expect(all.length).toBeGreaterThanOrEqual(LABELLED.length);
      const narrow = (networks: NetworkId[], workloads: WorkloadId[] = []) =>
        idsOf(provider.narrow(seeded.connection, networks, workloads));
      expect(await narrow([seeded.network])).toEqual(all);
      expect(await narrow([], [seeded.workloads.db.id])).toEqual(all);
      expect(await narrow([seeded.unmanagedNetwork])).toEqual([]);
      expect(await narrow([FOREIGN_NETWORKS[provider.cloud]])).toEqual([]);
      expect(await narrow([])).toEqual([]);
    });

    contractCase("materialize", "materialize plans only the places the state holds", async () => {
      const { intent } = await planOf(seeded.connection, policy);
      expect(enforcedDestinations(intent, provider.cloud).length).toBe(LABELLED.length);
      const none = await provider.discover(provider.narrow(seeded.connection, []), labels);
      const desired = provider.materialize(intent, none.state, policy);
      expect(desired.findings).toEqual([]);
      expect(provider.diff(desired, none.state)).toEqual([]);
    });

    contractCase(
      "apply",
      "apply runs the plan in order, one onApplied each, and a fresh plan is empty",
      async () => {
        const { plan } = await planOf(seeded.connection, policy);
        expect(plan.length).toBeGreaterThan(0);
        expect(await applyAll(plan, seeded.connection)).toEqual(plan);
        expect((await planOf(seeded.connection, policy)).plan).toEqual([]);
      },
    );

    contractCase(
      "evaluate",
      "after apply, evaluate(state) admits exactly what the intent grants",
      async () => {
        await applyAll((await planOf(seeded.connection, policy)).plan, seeded.connection);
        const { discovery, intent } = await planOf(seeded.connection, policy);
        const reach = provider.evaluate(discovery.state);
        const addresses = [
          ...Object.values(seeded.workloads).map((w) => w.nics[0]?.privateIp ?? ""),
          "10.8.1.1",
          "192.0.2.7",
        ];
        let allowed = 0;
        for (const destination of enforcedDestinations(intent, provider.cloud)) {
          for (const member of destination.members) {
            for (const address of addresses) {
              for (const [protocol, port] of probes(policy)) {
                const native = reach.explain({
                  workload: member.workload,
                  network: destination.network,
                  sourceAddress: address,
                  protocol,
                  ...(protocol === "icmp" ? {} : { port }),
                });
                const expected = intentAllows(intent, destination, address, protocol, port);
                if (expected) allowed += 1;
                expect({
                  to: member.workload,
                  address,
                  protocol,
                  port,
                  allowed: native !== undefined,
                }).toEqual({
                  to: member.workload,
                  address,
                  protocol,
                  port,
                  allowed: expected,
                });
              }
            }
          }
        }
        // web from the VPN, api from web, db from api: one port each.
        expect(allowed).toBe(3);
      },
    );

    contractCase(
      "refused",
      "an operation on a workload gone since the plan is refused through onRefused, and the plan goes on",
      async () => {
        const { plan } = await planOf(seeded.connection, policy);
        await subject.removeWorkload("db");
        const applied: Operation[] = [];
        const refused: Operation[] = [];
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
        await applyAll((await planOf(seeded.connection, policy)).plan, seeded.connection);
        expect((await planOf(seeded.connection, policy)).plan).toEqual([]);
      },
    );

    contractCase(
      "accounting",
      "removedRules, ownedRules, placeOf and summarize agree with the state",
      async () => {
        const first = await planOf(seeded.connection, policy);
        const place = new Set(first.plan.map((operation) => provider.placeOf(operation)));
        expect(place.size).toBe(1);
        const [placeKey] = [...place] as [string];
        expect(provider.ownedRules(first.discovery.state)[placeKey] ?? 0).toBe(0);
        for (const operation of first.plan) {
          expect(provider.removedRules(operation, first.discovery.state)).toBe(0);
          expect(provider.summarize(operation, first.discovery.state).cloud).toBe(provider.cloud);
        }
        await applyAll(first.plan, seeded.connection);

        const removal = await planOf(seeded.connection, contractPolicy("visibility"));
        const owned = provider.ownedRules(removal.discovery.state);
        expect(Object.keys(owned)).toEqual([placeKey]);
        expect(owned[placeKey]).toBeGreaterThan(0);
        let removed = 0;
        for (const operation of removal.plan) {
          expect(provider.placeOf(operation)).toBe(placeKey);
          const count = provider.removedRules(operation, removal.discovery.state);
          const summary = provider.summarize(operation, removal.discovery.state);
          expect(summary.cloud).toBe(provider.cloud);
          if (count > 0) expect(summary.narrows).toBe(true);
          removed += count;
        }
        expect(removed).toBeGreaterThanOrEqual(owned[placeKey] ?? 0);
        await applyAll(removal.plan, seeded.connection);
        const after = await provider.discover(seeded.connection, labels);
        expect(provider.ownedRules(after.state)).toEqual({ [placeKey]: 0 });
      },
    );
  });
}

/** The workload without its NICs' cloud ids (ENI, NIC), which only the cloud assigns. */
function withoutNicIds(workload: Workload): Workload {
  return { ...workload, nics: workload.nics.map(({ id: _id, ...nic }) => nic) };
}

function enforcedDestinations(intent: Intent, cloud: Cloud) {
  return intent.destinations.filter(
    (d) => d.enforcement === "enforced" && d.members.some((m) => m.workload.startsWith(`${cloud}:`)),
  );
}
