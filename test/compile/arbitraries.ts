import fc from "fast-check";
import type { Inventory, Nic, Workload, WorkloadChange } from "../../lib/inventory/model.js";
import type {
  LabelSelector,
  Policy,
  Rule,
  RuleSource,
  Ruleset,
  RuleTarget,
  Service,
} from "../../lib/policy/model.js";
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

/**
 * `blocked` covers some of the arbitraries' public, private and NAT addresses (compile's and the
 * clouds' property tests'), so that deny rules from it split peer sets; `anywhere` opens everything
 * (boundaries first: allow all, deny some).
 */
export const IP_LISTS = {
  office: ["198.51.100.0/24"],
  vpn: ["10.8.0.0/16", "192.0.2.7/32"],
  anywhere: ["0.0.0.0/0"],
  blocked: ["10.0.3.0/24", "10.3.0.0/30", "54.0.0.0/30", "54.0.2.0/24", "203.0.113.10/32"],
};
type IpListName = keyof typeof IP_LISTS;

const rawRuleArb = fc.record({
  from: fc.oneof(
    { weight: 4, arbitrary: selectorArb.map((selector) => ({ selector })) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<IpListName>("office", "vpn", "anywhere").map((ipList) => ({ ipList })),
    },
  ),
  extraScope: fc.boolean(),
  to: fc.oneof(
    { weight: 5, arbitrary: selectorArb.map((selector) => ({ selector })) },
    { weight: 1, arbitrary: fc.constantFrom<IpListName>("office", "vpn").map((ipList) => ({ ipList })) },
  ),
  services: fc.array(serviceArb, { minLength: 1, maxLength: 3 }),
});

const rawDenyArb = fc.record({
  from: fc.oneof(
    { weight: 3, arbitrary: selectorArb.map((selector) => ({ selector })) },
    { weight: 2, arbitrary: fc.constantFrom<IpListName>("blocked", "vpn").map((ipList) => ({ ipList })) },
  ),
  extraScope: fc.boolean(),
  to: selectorArb.map((selector) => ({ selector })),
  services: fc.array(serviceArb, { minLength: 1, maxLength: 2 }),
});

type RawRule = {
  from: { selector: LabelSelector } | { ipList: IpListName };
  extraScope: boolean;
  to: { selector: LabelSelector } | { ipList: IpListName };
  services: Service[];
};

interface RawRuleset {
  scope: LabelSelector;
  enforcement: "enforced" | "visibility";
  egress: "open" | "enforced";
  rules: RawRule[];
  deny: RawRule[];
}

const rawRulesetArb = (withDenies: boolean, withEgress: boolean): fc.Arbitrary<RawRuleset> =>
  fc.record({
    egress: withEgress ? fc.constantFrom("open" as const, "enforced" as const) : fc.constant("open" as const),
    scope: selectorArb,
    enforcement: fc.constantFrom("enforced" as const, "enforced" as const, "visibility" as const),
    rules: fc.array(withDenies ? rawRuleArb : rawRuleArb.filter((rule) => "selector" in rule.to), {
      maxLength: 4,
    }),
    deny: withDenies ? fc.array(rawDenyArb, { maxLength: 2 }) : fc.constant<RawRule[]>([]),
  });

/** The loader's resolved rule, or undefined where it would reject it (a side contradicting the scope). */
function resolveRule(
  scope: LabelSelector,
  raw: RawRule,
  ruleset: string,
  action: "allow" | "deny",
  index: number,
): Rule | undefined {
  let to: RuleTarget;
  if ("ipList" in raw.to) {
    if ("ipList" in raw.from) return undefined;
    to = { kind: "ipList", name: raw.to.ipList, cidrs: IP_LISTS[raw.to.ipList] };
  } else {
    const selector = intersect(scope, raw.to.selector);
    if (!selector) return undefined;
    to = { kind: "labels", selector };
  }
  let from: RuleSource;
  if ("ipList" in raw.from)
    from = { kind: "ipList", name: raw.from.ipList, cidrs: IP_LISTS[raw.from.ipList] };
  else {
    const selector = raw.extraScope ? raw.from.selector : intersect(scope, raw.from.selector);
    if (!selector) return undefined;
    from = { kind: "labels", selector, extraScope: raw.extraScope };
  }
  const id = action === "allow" ? `${ruleset}#${index}` : `${ruleset}#deny-${index}`;
  return { id, ruleset, action, index, from, to, services: normalizeServices(raw.services) };
}

function policyArbOf(withDenies: boolean, withEgress = false): fc.Arbitrary<Policy> {
  return fc
    .record({
      rulesets: fc.array(rawRulesetArb(withDenies, withEgress), { minLength: 1, maxLength: 3 }),
      connected: fc.boolean(),
      nat: fc.boolean(),
    })
    .map(({ rulesets, connected, nat }): Policy => {
      const resolved: Ruleset[] = rulesets.map((raw, position) => {
        const name = `rs${position}`;
        const resolve = (action: "allow" | "deny") => (rawRule: RawRule, index: number) => {
          const rule = resolveRule(raw.scope, rawRule, name, action, index);
          return rule === undefined ? [] : [rule];
        };
        const rules = raw.rules.flatMap(resolve("allow"));
        const deny = raw.deny.flatMap(resolve("deny"));
        return { name, scope: raw.scope, enforcement: raw.enforcement, egress: raw.egress, rules, deny };
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
}

/** v2 policies: deny rules (by labels and by ipList, some covering estate addresses) and rules to ipLists. */
export const policyArb: fc.Arbitrary<Policy> = policyArbOf(true);

/** v2 policies with enforced egress on some rulesets. */
export const egressPolicyArb: fc.Arbitrary<Policy> = policyArbOf(true, true);

/** v1 policies: allow rules between labels and from ipLists only. */
export const v1PolicyArb: fc.Arbitrary<Policy> = policyArbOf(false);

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

/** The workloads a batch of changes touches, each once, sorted (as changeSlices takes them). */
export function changedWorkloads(batch: readonly WorkloadChange[]): string[] {
  return [
    ...new Set(batch.map((change) => (change.kind === "delete" ? change.id : change.workload.id))),
  ].sort();
}
