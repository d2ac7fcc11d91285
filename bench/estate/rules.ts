import { MONITORING_APP, MONITORING_ROLE } from "./catalog.js";
import type { RawRule } from "./policy-document.js";
import type { Rng } from "./prng.js";
import type { Scope } from "./workloads.js";

export interface RuleContext {
  readonly scope: Scope;
  /** Apps that other apps may call (cross-app, extra-scope rules). */
  readonly apps: readonly string[];
  /** loc values found in the estate. */
  readonly locs: readonly string[];
  readonly rng: Rng;
}

/** The ipLists the generated rules refer to; the document defines each of them. */
export const IP_LISTS: Readonly<Record<string, readonly string[]>> = {
  "corp-vpn": ["172.16.0.0/16", "192.168.50.0/24"],
  office: ["192.168.10.0/24", "192.168.11.0/24"],
  partners: ["198.18.0.0/24", "198.18.4.0/22"],
  "cdn-edge": ["130.176.0.0/17", "64.252.64.0/18", "13.224.0.0/14"],
};

export const SERVICES: Readonly<Record<string, readonly string[]>> = {
  web: ["tcp/80", "tcp/443"],
  postgres: ["tcp/5432"],
  pgbouncer: ["tcp/6432"],
  redis: ["tcp/6379"],
  "node-exporter": ["tcp/9100"],
  ssh: ["tcp/22"],
  dns: ["udp/53", "tcp/53"],
  ping: ["icmp"],
};

const ADMIN_LISTS = ["corp-vpn", "office", "partners"] as const;
const SCRAPED_ROLES = ["web", "api", "db", "cache", "worker"] as const;

/** The rules every application ruleset starts with: its tiers, its public entry, its monitoring. */
const CORE_RULES: readonly ((context: RuleContext) => RawRule)[] = [
  () => ({ from: { role: "web" }, to: { role: "api" }, services: ["tcp/8080"] }),
  () => ({ from: { role: "api" }, to: { role: "db" }, services: ["postgres"] }),
  () => ({ from: { role: "api" }, to: { role: "cache" }, services: ["redis"] }),
  () => ({ from: { role: "worker" }, to: { role: "db" }, services: ["postgres"] }),
  ({ scope }) => ({
    from: { ipList: scope.env === "prod" ? "cdn-edge" : "corp-vpn" },
    to: { role: "web" },
    services: ["web"],
  }),
  () => ({
    from: { app: MONITORING_APP, role: MONITORING_ROLE },
    extraScope: true,
    to: { role: SCRAPED_ROLES },
    services: ["node-exporter"],
  }),
];

/**
 * Rules beyond the core, in rounds of six kinds; ports shift per round so that no two rules of
 * a ruleset are the same.
 */
function extraRule(index: number, context: RuleContext): RawRule {
  const round = Math.floor(index / 6);
  const shift = round % 1000;
  switch (index % 6) {
    case 0: {
      const others = context.apps.filter((app) => app !== context.scope.app);
      const caller = others.length > 0 ? context.rng.pick(others) : context.scope.app;
      return {
        from: { app: caller, env: context.scope.env, role: "api" },
        extraScope: true,
        to: { role: "api" },
        services: [`tcp/${8443 + shift}`],
      };
    }
    case 1:
      return { from: { role: "batch" }, to: { role: "db" }, services: ["pgbouncer", `tcp/${15432 + shift}`] };
    case 2:
      return {
        from: { role: ["web", "api"] },
        to: { role: "cache" },
        services: ["redis", `tcp/${16379 + shift}`],
      };
    case 3:
      return {
        from: { ipList: ADMIN_LISTS[round % ADMIN_LISTS.length] as string },
        to: { role: ["api", "db"] },
        services: round === 0 ? ["ssh", "ping"] : [`tcp/${2200 + shift}`],
      };
    case 4:
      return {
        from: { role: "worker", loc: context.rng.pick(context.locs) },
        to: { role: "api" },
        services: [`tcp/${9000 + shift}`],
      };
    default:
      return {
        from: { role: "api" },
        to: { role: "worker" },
        services: [`tcp/${20000 + shift * 10}-${20009 + shift * 10}`, "dns"],
      };
  }
}

/** Exactly `count` rules for one (app, env) ruleset. */
export function rulesetRules(count: number, context: RuleContext): RawRule[] {
  const rules: RawRule[] = [];
  for (let i = 0; i < count; i++) {
    const core = CORE_RULES[i];
    rules.push(core ? core(context) : extraRule(i - CORE_RULES.length, context));
  }
  return rules;
}

/** Rules per ruleset when each has the core and a little more. */
export const RULES_PER_RULESET = CORE_RULES.length;
