/**
 * Deny rules at a destination's ingress (docs/policy.md, "How deny rules compile"): what each
 * source is granted is its allows minus every deny whose `from` covers it, exactly, by address and
 * by service. A source whose addresses all keep the same services stays one grant (a peer set or an
 * ipList, which a cloud may name natively); one that deny rules split, by an ipList or by a NAT
 * address that a denied workload shares (deny wins for that address), is granted by address, part
 * by part. The same subtraction gives egress (lib/compile/egress.ts), with targets for sources.
 */
import { AddressRanges } from "../net/cidr.js";
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

/**
 * One deny rule at a destination: the identities its other side matches (the compiler's live set
 * for the rule, current whenever a destination is computed), or an ipList's addresses.
 */
export type DenyTemplate =
  | {
      readonly kind: "identities";
      readonly rule: string;
      /** Rules whose side has the same selector cover the same identities: they share one region. */
      readonly regionKey: string;
      readonly identities: ReadonlySet<string>;
      readonly services: readonly Service[];
    }
  | {
      readonly kind: "ipList";
      readonly rule: string;
      readonly regionKey: string;
      readonly name: string;
      readonly cidrs: readonly string[];
      readonly services: readonly Service[];
    };

export interface DenyContext {
  /** `<hash>@<network>` of the destination. */
  readonly destinationKey: string;
  readonly destinationIdentity: string;
  readonly network: string;
  readonly denies: readonly DenyTemplate[];
  /** An identity's addresses as seen from the network, and those of them that are NAT addresses (memoized by the caller). */
  readonly seenRanges: (identity: string) => SeenRanges;
  /** Every address a deny rule covers, seen from the network (the caller memoizes it per rule). */
  readonly region: (deny: DenyTemplate) => AddressRanges;
  readonly peerKeyOf: (identity: string) => string;
}

export interface DeniedGrants {
  readonly grants: Grant[];
  /** Identities whose peer set a grant names (native reference possible). */
  readonly peerSources: string[];
  readonly findings: Finding[];
}

export interface SeenRanges {
  readonly whole: AddressRanges;
  readonly nat: AddressRanges;
}

/** An identity's seen addresses as ranges: what denySource cuts. */
export function seenRanges(views: readonly MemberView[]): SeenRanges {
  return {
    whole: AddressRanges.of(views.flatMap((view) => view.addresses)),
    nat: AddressRanges.of(views.flatMap((view) => (view.via === "nat" ? view.addresses : []))),
  };
}

interface Piece {
  readonly ranges: AddressRanges;
  readonly services: readonly Service[];
}

/** Every address a deny rule covers from a network: its ipList, or its identities' members as seen. */
export function denyRegion(
  deny: DenyTemplate,
  seen: (identity: string) => readonly MemberView[],
): AddressRanges {
  if (deny.kind === "ipList") return AddressRanges.of(deny.cidrs);
  const addresses: string[] = [];
  for (const identity of deny.identities)
    for (const view of seen(identity)) addresses.push(...view.addresses);
  return AddressRanges.of(addresses);
}

/** One source's grants once the denies are taken out; empty when they take everything. */
export function denySource(
  source: AllowTemplate,
  contributions: SourceContributions,
  context: DenyContext,
): DeniedGrants {
  // A deny of the source's own identity holds even where it cannot be seen (no address to cut);
  // by address it would then take nothing more.
  const services = context.denies.reduce<readonly Service[]>(
    (kept, deny) =>
      source.kind === "identity" && deny.kind === "identities" && deny.identities.has(source.identity)
        ? subtractServices(kept, deny.services)
        : kept,
    source.services,
  );
  const { whole, nat } =
    source.kind === "identity"
      ? context.seenRanges(source.identity)
      : { whole: AddressRanges.of(source.cidrs), nat: AddressRanges.EMPTY };
  const findings: Finding[] = [];
  let pieces: Piece[] = services.length === 0 ? [] : [{ ranges: whole, services }];
  for (const deny of context.denies) {
    if (pieces.length === 0) break;
    const cut = cutPieces(pieces, context.region(deny), deny.services);
    const shared = nat.empty ? nat : cut.reached.intersect(nat);
    if (!shared.empty) findings.push(natSharedFinding(source, deny, shared, context));
    else if (source.kind === "ipList") {
      // An ipList holds a NAT address that denied identities leave from: every workload behind it is refused.
      const denied = deniedNat(deny, context);
      const reached = denied.empty ? denied : cut.reached.intersect(denied);
      if (!reached.empty) findings.push(natSharedFinding(source, deny, reached, context));
    }
    pieces = cut.pieces;
  }
  pieces = mergeByServices(pieces);
  const rulesOf = (piece: Piece) =>
    contributions.filter((c) => intersectServices(c.services, piece.services).length > 0).map((c) => c.rule);
  const [single] = pieces;
  if (pieces.length === 1 && single?.ranges.equals(whole)) {
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
  return pieces.map((piece): Grant => {
    const addresses: GrantSource = Object.freeze({
      kind: "addresses",
      of,
      label,
      cidrs: Object.freeze(piece.ranges.toCidrs()),
    });
    return Object.freeze({
      sourceKey: `${of}|${piece.services.map(formatService).join(",")}`,
      source: addresses,
      services: Object.freeze([...piece.services]),
      rules: Object.freeze(rulesOf(piece)),
    });
  });
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
 * inside keep what the deny leaves. Also says which addresses the deny reached.
 */
function cutPieces(
  pieces: readonly Piece[],
  denied: AddressRanges,
  services: readonly Service[],
): { pieces: Piece[]; reached: AddressRanges } {
  const result: Piece[] = [];
  let reached = AddressRanges.EMPTY;
  for (const piece of pieces) {
    const inside =
      intersectServices(piece.services, services).length === 0
        ? AddressRanges.EMPTY
        : piece.ranges.intersect(denied);
    if (inside.empty) {
      result.push(piece);
      continue;
    }
    reached = reached.union(inside);
    const outside = piece.ranges.subtract(denied);
    if (!outside.empty) result.push({ ranges: outside, services: piece.services });
    const kept = subtractServices(piece.services, services);
    if (kept.length > 0) result.push({ ranges: inside, services: kept });
  }
  return { pieces: result, reached };
}

/** Pieces with the same services become one (their addresses merged exactly), in services order. */
function mergeByServices(pieces: readonly Piece[]): Piece[] {
  const byServices = new Map<string, Piece>();
  for (const piece of pieces) {
    const key = piece.services.map(formatService).join(",");
    const entry = byServices.get(key);
    byServices.set(
      key,
      entry === undefined ? piece : { services: entry.services, ranges: entry.ranges.union(piece.ranges) },
    );
  }
  return [...byServices.values()];
}

/** The NAT addresses from which the network sees a deny rule's identities (none for an ipList deny). */
function deniedNat(deny: DenyTemplate, context: DenyContext): AddressRanges {
  if (deny.kind !== "identities") return AddressRanges.EMPTY;
  let nat = AddressRanges.EMPTY;
  for (const identity of deny.identities) {
    const seen = context.seenRanges(identity).nat;
    if (!seen.empty) nat = nat.union(seen);
  }
  return nat;
}

function natSharedFinding(
  source: AllowTemplate,
  deny: DenyTemplate,
  shared: AddressRanges,
  context: DenyContext,
): Finding {
  const allowed = source.kind === "identity" ? source.identity : `ipList ${source.name}`;
  const cidrs = shared.toCidrs();
  // Rare (a NAT-seen source): name the denied identities behind the same address.
  const denied =
    deny.kind === "ipList"
      ? `ipList ${deny.name}`
      : [...deny.identities]
          .filter((identity) => !context.seenRanges(identity).whole.intersect(shared).empty)
          .filter((identity) => identity !== allowed)
          .sort()
          .join(", ") || allowed;
  const services = deny.services.map(formatService).join(",");
  const message =
    source.kind === "identity"
      ? `${allowed} is seen from ${context.network} as NAT address ${cidrs.join(", ")}, which ${denied} shares: deny rule ${deny.rule} wins for that address, so ${context.destinationIdentity} does not accept ${services} from it`
      : `${allowed} holds NAT address ${cidrs.join(", ")}, from which ${context.network} sees ${denied}: deny rule ${deny.rule} wins for that address, so ${context.destinationIdentity} does not accept ${services} from any workload behind it`;
  return { code: "nat-shared-denied", severity: "warning", subject: context.destinationKey, message };
}
