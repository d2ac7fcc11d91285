/**
 * Deny rules at a destination's ingress (docs/policy.md, "How deny rules compile"): what each
 * source is granted is its allows minus every deny whose `from` covers it, exactly, by address and
 * by service. A source whose addresses all keep the same services stays one grant (a peer set or an
 * ipList, which a cloud may name natively); one that deny rules split, by an ipList or by a NAT
 * address that a denied workload shares (deny wins for that address), is granted by address, part
 * by part.
 */
import { exactCidrs, intersectCidrs, subtractCidrs } from "../net/cidr.js";
import type { Service } from "../policy/model.js";
import { formatService, intersectServices, subtractServices } from "../policy/services.js";
import type { MemberView } from "./address-view.js";
import type { Finding, Grant, GrantSource } from "./model.js";

/** What one source is allowed, with each allow rule's own services (so that a cut rule can be told). */
export type AllowTemplate =
  | { readonly kind: "identity"; readonly identity: string; readonly services: readonly Service[] }
  | {
      readonly kind: "ipList";
      readonly name: string;
      readonly cidrs: readonly string[];
      readonly services: readonly Service[];
    };

export type SourceContributions = readonly { readonly rule: string; readonly services: readonly Service[] }[];

/** What one deny source takes away at a destination: an identity's addresses, or an ipList's. */
export type DenyTemplate =
  | {
      readonly kind: "identity";
      readonly identity: string;
      readonly services: readonly Service[];
      readonly rules: readonly string[];
    }
  | {
      readonly kind: "ipList";
      readonly name: string;
      readonly cidrs: readonly string[];
      readonly services: readonly Service[];
      readonly rules: readonly string[];
    };

export interface DenyContext {
  /** `<hash>@<network>` of the destination. */
  readonly destinationKey: string;
  readonly destinationIdentity: string;
  readonly network: string;
  readonly denies: readonly DenyTemplate[];
  /** How the destination's network sees an identity's running members. */
  readonly seen: (identity: string) => readonly MemberView[];
  readonly peerKeyOf: (identity: string) => string;
}

export interface DeniedGrants {
  readonly grants: Grant[];
  /** Identities whose peer set a grant names (native reference possible). */
  readonly peerSources: string[];
  readonly findings: Finding[];
}

interface Piece {
  readonly cidrs: readonly string[];
  readonly services: readonly Service[];
}

/** One source's grants once the denies are taken out; empty when they take everything. */
export function denySource(
  source: AllowTemplate,
  contributions: SourceContributions,
  context: DenyContext,
): DeniedGrants {
  const identityDenied =
    source.kind === "identity"
      ? context.denies.filter((deny) => deny.kind === "identity" && deny.identity === source.identity)
      : [];
  // A deny by identity holds even where the source cannot be seen (no address to cut).
  const services = identityDenied.reduce<readonly Service[]>(
    (kept, deny) => subtractServices(kept, deny.services),
    source.services,
  );
  const views = source.kind === "identity" ? context.seen(source.identity) : [];
  const whole = exactCidrs(
    source.kind === "identity" ? views.flatMap((view) => view.addresses) : source.cidrs,
  );
  const natCidrs = exactCidrs(views.flatMap((view) => (view.via === "nat" ? view.addresses : [])));
  const findings: Finding[] = [];
  let pieces: Piece[] = services.length === 0 ? [] : [{ cidrs: whole, services }];
  for (const deny of context.denies) {
    if (identityDenied.includes(deny)) continue;
    const denied =
      deny.kind === "ipList"
        ? deny.cidrs
        : exactCidrs(context.seen(deny.identity).flatMap((v) => v.addresses));
    const cut = cutPieces(pieces, denied, deny.services);
    if (cut.sharedNat(natCidrs).length > 0)
      findings.push(natSharedFinding(source, deny, cut.sharedNat(natCidrs), context));
    pieces = cut.pieces;
  }
  pieces = mergeByServices(pieces);
  const rulesOf = (piece: Piece) =>
    contributions.filter((c) => intersectServices(c.services, piece.services).length > 0).map((c) => c.rule);
  const single = pieces.length === 1 ? pieces[0] : undefined;
  if (single !== undefined && sameCidrs(single.cidrs, whole)) {
    const grant = wholeGrant(source, single.services, rulesOf(single), context);
    return { grants: [grant], peerSources: source.kind === "identity" ? [source.identity] : [], findings };
  }
  const grants = partGrants(source, pieces, rulesOf, context);
  // The peer set still goes with the intent: its findings (unreachable, NAT-shared) stay reported.
  return {
    grants,
    peerSources: source.kind === "identity" && grants.length > 0 ? [source.identity] : [],
    findings,
  };
}

/** The grants of a split source: one per part, by address. */
function partGrants(
  source: AllowTemplate,
  pieces: readonly Piece[],
  rulesOf: (piece: Piece) => string[],
  context: DenyContext,
): Grant[] {
  const of = source.kind === "identity" ? context.peerKeyOf(source.identity) : `ipList:${source.name}`;
  const label = source.kind === "identity" ? source.identity : `ipList ${source.name}`;
  const grants = pieces.map((piece): Grant => {
    const addresses: GrantSource = Object.freeze({
      kind: "addresses",
      of,
      label,
      cidrs: Object.freeze([...piece.cidrs]),
    });
    return Object.freeze({
      sourceKey: `${of}|${piece.services.map(formatService).join(",")}`,
      source: addresses,
      services: Object.freeze([...piece.services]),
      rules: Object.freeze(rulesOf(piece)),
    });
  });
  return grants;
}

function wholeGrant(
  source: AllowTemplate,
  services: readonly Service[],
  rules: readonly string[],
  context: DenyContext,
): Grant {
  const key = source.kind === "identity" ? context.peerKeyOf(source.identity) : `ipList:${source.name}`;
  const grantSource: GrantSource =
    source.kind === "identity"
      ? Object.freeze({ kind: "peerSet", key })
      : Object.freeze({ kind: "ipList", name: source.name, cidrs: source.cidrs });
  return Object.freeze({
    sourceKey: key,
    source: grantSource,
    services: Object.freeze([...services]),
    rules: Object.freeze([...rules]),
  });
}

/**
 * Takes (addresses × services) out of every piece: the addresses outside keep their services, those
 * inside keep what the deny leaves. Also tells which of a set of addresses the deny reached.
 */
function cutPieces(
  pieces: readonly Piece[],
  denied: readonly string[],
  services: readonly Service[],
): { pieces: Piece[]; sharedNat: (nat: readonly string[]) => string[] } {
  const result: Piece[] = [];
  const reached: string[] = [];
  for (const piece of pieces) {
    const inside =
      intersectServices(piece.services, services).length === 0 ? [] : intersectCidrs(piece.cidrs, denied);
    if (inside.length === 0) {
      result.push(piece);
      continue;
    }
    reached.push(...inside);
    const outside = subtractCidrs(piece.cidrs, denied);
    if (outside.length > 0) result.push({ cidrs: outside, services: piece.services });
    const kept = subtractServices(piece.services, services);
    if (kept.length > 0) result.push({ cidrs: inside, services: kept });
  }
  return {
    pieces: result,
    sharedNat: (nat) => (nat.length === 0 || reached.length === 0 ? [] : intersectCidrs(reached, nat)),
  };
}

/** Pieces with the same services become one (their addresses merged exactly), in services order. */
function mergeByServices(pieces: readonly Piece[]): Piece[] {
  const byServices = new Map<string, { services: readonly Service[]; cidrs: string[] }>();
  for (const piece of pieces) {
    const key = piece.services.map(formatService).join(",");
    const entry = byServices.get(key) ?? { services: piece.services, cidrs: [] };
    entry.cidrs.push(...piece.cidrs);
    byServices.set(key, entry);
  }
  return [...byServices.values()].map((entry) => ({
    services: entry.services,
    cidrs: exactCidrs(entry.cidrs),
  }));
}

function sameCidrs(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((cidr, index) => cidr === b[index]);
}

function natSharedFinding(
  source: AllowTemplate,
  deny: DenyTemplate,
  shared: readonly string[],
  context: DenyContext,
): Finding {
  const allowed = source.kind === "identity" ? source.identity : `ipList ${source.name}`;
  const denied = deny.kind === "identity" ? deny.identity : `ipList ${deny.name}`;
  return {
    code: "nat-shared-denied",
    severity: "warning",
    subject: context.destinationKey,
    message: `${allowed} is seen from ${context.network} as NAT address ${shared.join(", ")}, which ${denied} shares: deny rule ${deny.rules.join(", ")} wins for that address, so ${context.destinationIdentity} does not accept ${deny.services.map(formatService).join(",")} from it`,
  };
}
