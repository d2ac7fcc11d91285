import type { Nic, Workload } from "../../lib/inventory/model.js";
import type { LabelSelector, Policy, Rule, RuleSource, Service } from "../../lib/policy/model.js";

export const AWS_VPC = "aws:111111111111:us-east-1:vpc-0a1b2c3d";
export const AZURE_VNET = "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-net:vnet-prod";
export const GCP_NET = "gcp:shop-prod:prod-net";

const tcp = (port: number): Service => ({ protocol: "tcp", fromPort: port, toPort: port });

function rule(index: number, from: RuleSource, to: LabelSelector, services: Service[]): Rule {
  const target = { kind: "labels", selector: to } as const;
  return {
    id: `shop-prod#${index}`,
    ruleset: "shop-prod",
    action: "allow",
    index,
    from,
    to: target,
    services,
  };
}

/**
 * The example policy (examples/policy.yaml), resolved by hand (scope intersected into every rule).
 */
export function designPolicy(overrides: Partial<Policy> = {}): Policy {
  const scope = { app: ["shop"], env: ["prod"] };
  return {
    labels: { tagPrefix: "seg-", dimensions: ["app", "env", "role", "loc"] },
    services: {},
    ipLists: { "corp-vpn": ["10.8.0.0/16", "192.168.50.0/24"] },
    networks: { connected: [[AWS_VPC, AZURE_VNET]], nat: { [GCP_NET]: ["203.0.113.10/32"] } },
    platform: { azureLoadBalancerProbes: "allow" },
    attachment: "exclusive",
    egress: "open",
    rulesets: [
      {
        name: "shop-prod",
        scope,
        enforcement: "enforced",
        egress: "open",
        deny: [],
        rules: [
          rule(
            0,
            { kind: "labels", selector: { ...scope, role: ["web"] }, extraScope: false },
            { ...scope, role: ["api"] },
            [tcp(8080)],
          ),
          rule(
            1,
            { kind: "labels", selector: { ...scope, role: ["api", "batch"] }, extraScope: false },
            { ...scope, role: ["db"] },
            [tcp(5432)],
          ),
          rule(
            2,
            { kind: "ipList", name: "corp-vpn", cidrs: ["10.8.0.0/16", "192.168.50.0/24"] },
            { ...scope, role: ["web"] },
            [tcp(80), tcp(443)],
          ),
          rule(
            3,
            { kind: "labels", selector: { app: ["monitoring"], role: ["prometheus"] }, extraScope: true },
            { ...scope, role: ["web", "api", "db"] },
            [tcp(9100)],
          ),
        ],
      },
    ],
    ...overrides,
  };
}

export function workload(
  id: string,
  nic: Nic | Nic[],
  labels: Record<string, string>,
  state: Workload["state"] = "running",
): Workload {
  const tags: Record<string, string> = { Name: id.split(":").at(-1) ?? id };
  for (const [key, value] of Object.entries(labels)) tags[`seg-${key}`] = value;
  return { id, state, nics: Array.isArray(nic) ? nic : [nic], tags };
}

/**
 * The design policy with egress enforced: web may open api (tcp/8080, the design's rule) and
 * anywhere on tcp/443, never db (a deny rule).
 */
export function egressDesignPolicy(): Policy {
  const base = designPolicy();
  const [ruleset] = base.rulesets;
  if (!ruleset) throw new Error("the design policy has a ruleset");
  const fromWeb = {
    kind: "labels",
    selector: { app: ["shop"], env: ["prod"], role: ["web"] },
    extraScope: false,
  } as const;
  const anywhere: Rule = {
    id: "shop-prod#4",
    ruleset: "shop-prod",
    action: "allow",
    index: 4,
    from: fromWeb,
    to: { kind: "ipList", name: "anywhere", cidrs: ["0.0.0.0/0"] },
    services: [{ protocol: "tcp", fromPort: 443, toPort: 443 }],
  };
  const noDb: Rule = {
    id: "shop-prod#deny-0",
    ruleset: "shop-prod",
    action: "deny",
    index: 0,
    from: fromWeb,
    to: { kind: "labels", selector: { app: ["shop"], env: ["prod"], role: ["db"] } },
    services: [{ protocol: "all" }],
  };
  return {
    ...base,
    ipLists: { ...base.ipLists, anywhere: ["0.0.0.0/0"] },
    rulesets: [{ ...ruleset, egress: "enforced", rules: [...ruleset.rules, anywhere], deny: [noDb] }],
  };
}
