/**
 * Enforced egress (v2) as VPC firewall rules (docs/clouds.md, "GCP egress and platform addresses"):
 * for one egress-enforced identity in one network, EGRESS allow rules that target its owned tag,
 * per service set, with the exact destination ranges its network reaches the targets at (egress
 * rules take no destination tags), split per address family and at the per-rule range limit; an
 * allow to Google's API VIPs, which egress rules filter; then a deny-all egress for the tag. The
 * rules share the stem of the identity's destination in that network, whose quota they count in.
 */
import type { EgressIntent } from "../../compile/model.js";
import { identityHash } from "../../inventory/identity.js";
import type { Service } from "../../policy/model.js";
import { formatService } from "../../policy/services.js";
import { compareText } from "../../util/compare-text.js";
import type { GcpQuotas } from "./config.js";
import type { GcpFirewall } from "./model.js";
import { DESCRIPTION_MARKER } from "./ownership.js";
import { GOOGLE_API_PROTOCOLS, GOOGLE_API_VIPS } from "./platform.js";

/** Where the rules go and whom they target: the destination's project, network URL and owned tag. */
export interface EgressRuleBase {
  readonly project: string;
  readonly network: string;
  readonly tag: string;
}

type OwnedRule = GcpFirewall & { readonly project: string };

/** Every owned egress rule of one egress-enforced identity in one network. */
export function egressRules(
  egress: EgressIntent,
  stem: string,
  base: EgressRuleBase,
  quotas: GcpQuotas,
  band: { readonly allow: number; readonly deny: number },
  firewallProtocols: (services: readonly Service[]) => GcpFirewall["allowed"],
): OwnedRule[] {
  const rule = (name: string, priority: number, text: string): OwnedRule => ({
    project: base.project,
    name,
    network: base.network,
    direction: "EGRESS",
    priority,
    description: `${DESCRIPTION_MARKER} ${egress.identity} ${text}`.slice(0, 2048),
    targetTags: [base.tag],
  });
  const allows = [...destinationsBySet(egress)]
    .sort(([a], [b]) => compareText(a, b))
    .flatMap(([key, set]) => {
      const setStem = `${stem}-e${identityHash(key).slice(0, 6)}`;
      const text = `may open ${key} to ${set.targets.sort(compareText).join("; ")}`;
      return splitRanges([...set.ranges], quotas.sourceRangesPerRule).map(([family, index, ranges]) => ({
        ...rule(`${setStem}-r${family}-${index}`, band.allow, text),
        destinationRanges: ranges,
        allowed: firewallProtocols(set.services),
      }));
    });
  const platform = splitRanges(GOOGLE_API_VIPS, quotas.sourceRangesPerRule).map(([, index, ranges]) => ({
    ...rule(`${stem}-eplatform-${index}`, band.allow, "may open Google's API VIPs (Private Google Access)"),
    destinationRanges: ranges,
    allowed: GOOGLE_API_PROTOCOLS.map((p) => ({ ...p, ports: [...(p.ports ?? [])] })),
  }));
  const denies = (
    [
      ["edeny", "0.0.0.0/0"],
      ["edeny6", "::/0"],
    ] as const
  ).map(([suffix, range]) => ({
    ...rule(`${stem}-${suffix}`, band.deny, "egress: deny everything else"),
    destinationRanges: [range],
    denied: [{ IPProtocol: "all" }],
  }));
  return [...allows, ...platform, ...denies];
}

/** The identity's grants gathered by service set: one family of allow rules per set. */
function destinationsBySet(
  egress: EgressIntent,
): Map<string, { services: readonly Service[]; ranges: Set<string>; targets: string[] }> {
  const bySet = new Map<string, { services: readonly Service[]; ranges: Set<string>; targets: string[] }>();
  for (const grant of egress.opens) {
    if (grant.target.cidrs.length === 0) continue;
    const key = grant.services.map(formatService).join(",");
    const entry = bySet.get(key) ?? { services: grant.services, ranges: new Set<string>(), targets: [] };
    for (const cidr of grant.target.cidrs) entry.ranges.add(cidr);
    entry.targets.push(targetLabel(grant.target));
    bySet.set(key, entry);
  }
  return bySet;
}

function targetLabel(target: EgressIntent["opens"][number]["target"]): string {
  if (target.kind === "identity") return target.identity;
  if (target.kind === "ipList") return `ipList ${target.name}`;
  return target.label;
}

/** Ranges per address family, sorted, in chunks of at most `limit`: `[family, chunk index, ranges]`. */
function splitRanges(ranges: readonly string[], limit: number): ["4" | "6", number, string[]][] {
  const chunks: ["4" | "6", number, string[]][] = [];
  for (const family of ["4", "6"] as const) {
    const of = ranges.filter((r) => r.includes(":") === (family === "6")).sort(compareText);
    for (let i = 0; i < of.length; i += limit) chunks.push([family, i / limit, of.slice(i, i + limit)]);
  }
  return chunks;
}
