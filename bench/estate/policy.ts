import { DIMENSIONS, TAG_PREFIX } from "./catalog.js";
import type { NetworkSite } from "./networks.js";
import type { PolicyDocument, RawNetworks, RawRuleset } from "./policy-document.js";
import type { Rng } from "./prng.js";
import { IP_LISTS, RULES_PER_RULESET, rulesetRules, SERVICES } from "./rules.js";
import type { GeneratedWorkloads } from "./workloads.js";

/** About this share of rulesets are visibility-only (a team trying its rules out). */
const VISIBILITY_SHARE = 0.1;

/**
 * One ruleset per (app, env) scope, largest scopes first, with `rules` rules in total exactly.
 * When there are fewer rules than scopes can use (100 rules for 7,500 scopes at 100k workloads)
 * only the largest scopes get a ruleset, as a rollout would start with the big applications;
 * when there are more, each ruleset gets extra rules beyond its core.
 */
export function generatePolicyDocument(
  rng: Rng,
  sites: readonly NetworkSite[],
  networks: RawNetworks,
  estate: GeneratedWorkloads,
  rules: number,
): PolicyDocument {
  if (!Number.isInteger(rules) || rules < 0) throw new Error(`rules must be a whole number, got ${rules}`);
  if (rules > 0 && estate.scopes.length === 0)
    throw new Error("the estate has no (app, env) scope for rules");
  const rulesetCount =
    rules === 0 ? 0 : Math.min(estate.scopes.length, Math.max(1, Math.floor(rules / RULES_PER_RULESET)));
  const visibility = new Set(
    rng
      .shuffle(Array.from({ length: rulesetCount }, (_, i) => i))
      .slice(0, Math.round(rulesetCount * VISIBILITY_SHARE)),
  );
  const locs = [...new Set(sites.map((site) => site.region))].sort();
  const rulesets: RawRuleset[] = [];
  for (let i = 0; i < rulesetCount; i++) {
    const scope = estate.scopes[i];
    if (scope === undefined) break;
    const quota = Math.floor(rules / rulesetCount) + (i < rules % rulesetCount ? 1 : 0);
    rulesets.push({
      name: `${scope.app}-${scope.env}`,
      scope: { app: scope.app, env: scope.env },
      enforcement: visibility.has(i) ? "visibility" : "enforced",
      rules: rulesetRules(quota, { scope, apps: estate.apps, locs, rng }),
    });
  }
  return {
    apiVersion: "segsync/v1",
    kind: "Policy",
    labels: { tagPrefix: TAG_PREFIX, dimensions: [...DIMENSIONS] },
    services: structuredClone(SERVICES),
    ipLists: structuredClone(IP_LISTS),
    networks,
    platform: { azureLoadBalancerProbes: "allow" },
    attachment: "exclusive",
    rulesets,
  };
}
