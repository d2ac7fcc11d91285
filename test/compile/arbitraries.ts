import fc from "fast-check";
import type { Inventory, Nic, Workload, WorkloadChange } from "../../lib/inventory/model.js";
import type { LabelSelector, Policy, Rule, RuleSource, Ruleset, Service } from "../../lib/policy/model.js";
import { intersectSelectors, scopeConflicts } from "../../lib/policy/selectors.js";
import { normalizeServices } from "../../lib/policy/services.js";

/** Small label and address domains, so random policies and estates collide often. */
export const DIMENSIONS = ["app", "env", "role"] as const;
const VALUES: Record<(typeof DIMENSIONS)[number], string[]> = {
  app: ["shop", "blog"],
  env: ["prod", "dev"],
  role: ["web", "api", "db"],
};
export const NETWORKS = [
  "aws:111111111111:us-east-1:vpc-0a1b2c3d",
  "aws:111111111111:us-east-1:vpc-0e0e0e0e",
  "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-net:vnet-prod",
  "gcp:shop-prod:prod-net",
] as const;
const WORKLOAD_IDS = [
  "aws:111111111111:us-east-1:i-0a00000000000001",
  "aws:111111111111:us-east-1:i-0a00000000000002",
  "aws:111111111111:us-east-1:i-0a00000000000003",
  "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-app:vm-1",
  "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-app:vm-2",
  "gcp:shop-prod:us-central1-a:web-1",
  "gcp:shop-prod:us-central1-a:web-2",
  "gcp:shop-prod:us-central1-b:db-1",
];

const selectorArb: fc.Arbitrary<LabelSelector> = fc
  .record(
    {
      app: fc.subarray(VALUES.app, { minLength: 1 }),
      env: fc.subarray(VALUES.env, { minLength: 1 }),
      role: fc.subarray(VALUES.role, { minLength: 1 }),
    },
    { requiredKeys: [] },
  )
  .map((selector) => {
    const sorted: Record<string, readonly string[]> = {};
    for (const [dimension, values] of Object.entries(selector)) sorted[dimension] = [...values].sort();
    return sorted;
  });

const serviceArb: fc.Arbitrary<Service> = fc.oneof(
  fc
    .record({
      protocol: fc.constantFrom("tcp" as const, "udp" as const),
      from: fc.integer({ min: 1, max: 40 }),
      span: fc.nat(5),
    })
    .map(({ protocol, from, span }) => ({ protocol, fromPort: from, toPort: from + span })),
  fc.constant<Service>({ protocol: "icmp" }),
  fc.constant<Service>({ protocol: "all" }),
);

/** The policy loader's intersection, or undefined where the loader would reject the rule as contradicting its scope. */
export function intersect(a: LabelSelector, b: LabelSelector): LabelSelector | undefined {
  return scopeConflicts(a, b).length > 0 ? undefined : intersectSelectors(a, b);
}

const IP_LISTS = { office: ["198.51.100.0/24"], vpn: ["10.8.0.0/16", "192.0.2.7/32"] };

const rawRuleArb = fc.record({
  from: fc.oneof(
    { weight: 4, arbitrary: selectorArb.map((selector) => ({ selector })) },
    { weight: 1, arbitrary: fc.constantFrom("office", "vpn").map((ipList) => ({ ipList })) },
  ),
  extraScope: fc.boolean(),
  to: selectorArb,
  services: fc.array(serviceArb, { minLength: 1, maxLength: 3 }),
});

const rawRulesetArb = fc.record({
  scope: selectorArb,
  enforcement: fc.constantFrom("enforced" as const, "enforced" as const, "visibility" as const),
  rules: fc.array(rawRuleArb, { maxLength: 4 }),
});

export const policyArb: fc.Arbitrary<Policy> = fc
  .record({
    rulesets: fc.array(rawRulesetArb, { minLength: 1, maxLength: 3 }),
    connected: fc.boolean(),
    nat: fc.boolean(),
  })
  .map(({ rulesets, connected, nat }): Policy => {
    const resolved: Ruleset[] = rulesets.map((raw, position) => {
      const name = `rs${position}`;
      const rules: Rule[] = [];
      raw.rules.forEach((rawRule, index) => {
        const to = intersect(raw.scope, rawRule.to);
        if (!to) return;
        let from: RuleSource;
        if ("ipList" in rawRule.from) {
          from = {
            kind: "ipList",
            name: rawRule.from.ipList,
            cidrs: IP_LISTS[rawRule.from.ipList as keyof typeof IP_LISTS],
          };
        } else {
          const selector = rawRule.extraScope
            ? rawRule.from.selector
            : intersect(raw.scope, rawRule.from.selector);
          if (!selector) return;
          from = { kind: "labels", selector, extraScope: rawRule.extraScope };
        }
        rules.push({
          id: `${name}#${index}`,
          ruleset: name,
          action: "allow",
          index,
          from,
          to: { kind: "labels", selector: to },
          services: normalizeServices(rawRule.services),
        });
      });
      return { name, scope: raw.scope, enforcement: raw.enforcement, egress: "open", rules, deny: [] };
    });
    return {
      labels: { tagPrefix: "seg-", dimensions: [...DIMENSIONS] },
      services: {},
      ipLists: IP_LISTS,
      networks: {
        connected: connected ? [[NETWORKS[0], NETWORKS[2]]] : [],
        nat: nat ? { [NETWORKS[3]]: ["203.0.113.10/32"] } : ({} as Record<string, string[]>),
      },
      platform: { azureLoadBalancerProbes: "allow" },
      attachment: "exclusive",
      egress: "open",
      rulesets: resolved,
    };
  });

const tagsArb: fc.Arbitrary<Record<string, string>> = fc
  .record(
    {
      "seg-app": fc.constantFrom(...VALUES.app, "Shop"),
      "seg-env": fc.constantFrom(...VALUES.env),
      "seg-role": fc.constantFrom(...VALUES.role),
      Name: fc.constant("vm"),
    },
    { requiredKeys: ["Name"] },
  )
  .map((tags) => ({ ...tags }));

/** Addresses come from a host number, so two workloads may share one (as clouds never allow, but the compiler must cope). */
const nicArb: fc.Arbitrary<Nic> = fc
  .record({
    network: fc.integer({ min: 0, max: NETWORKS.length - 1 }),
    host: fc.integer({ min: 1, max: 40 }),
    publicHost: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
  })
  .map(({ network, host, publicHost }) => ({
    network: NETWORKS[network] as string,
    privateIp: `10.${network}.0.${host}`,
    ...(publicHost === undefined ? {} : { publicIp: `54.0.0.${publicHost}` }),
  }));

export function workloadArb(id: string): fc.Arbitrary<Workload> {
  return fc
    .record({
      state: fc.constantFrom("running" as const, "running" as const, "running" as const, "stopped" as const),
      nics: fc.array(nicArb, { minLength: 1, maxLength: 2 }),
      tags: tagsArb,
    })
    .map(({ state, nics, tags }) => ({ id, state, nics, tags }));
}

export const inventoryArb: fc.Arbitrary<Inventory> = fc
  .subarray(WORKLOAD_IDS)
  .chain((ids) => fc.tuple(...ids.map(workloadArb)))
  .map((workloads) => ({ workloads, networks: NETWORKS.map((id) => ({ id })) }));

export const changeArb: fc.Arbitrary<WorkloadChange> = fc
  .constantFrom(...WORKLOAD_IDS)
  .chain((id) =>
    fc.oneof(
      { weight: 4, arbitrary: workloadArb(id).map((workload) => ({ kind: "upsert" as const, workload })) },
      { weight: 1, arbitrary: fc.constant({ kind: "delete" as const, id }) },
    ),
  );

/** Applies changes to a plain inventory, the way a store would. */
export function applyChanges(inventory: Inventory, changes: readonly WorkloadChange[]): Inventory {
  const byId = new Map(inventory.workloads.map((workload) => [workload.id, workload]));
  for (const change of changes) {
    if (change.kind === "delete") byId.delete(change.id);
    else byId.set(change.workload.id, change.workload);
  }
  return { workloads: [...byId.values()], networks: inventory.networks };
}
