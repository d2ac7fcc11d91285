/**
 * When a member's move concerns a destination with deny rules (docs/architecture.md, "Deny rules
 * and events"). A destination's grants depend on members' addresses only where a deny rule's region
 * meets an allow source's addresses: there a source is cut by address. A source that a deny rule
 * matches by its identity loses the rule's services whatever its addresses, and a deny of other
 * services leaves it alone, so such pairs never cut by address. A move that leaves every meeting
 * pair as it was is the peer sets' concern alone, however many workloads the deny rule matches (a
 * boundary such as "nothing from dev" matches half an estate).
 */
import { createHash } from "node:crypto";
import { AddressIndex } from "../net/address-index.js";
import { AddressRanges } from "../net/cidr.js";
import { intersectServices } from "../policy/services.js";
import type { AllowTemplate, DenyTemplate } from "./deny.js";

/** Addresses as the destination's network sees them; the compiler memoizes both per flush. */
export interface SeenAddresses {
  readonly source: (identity: string) => AddressRanges;
  /** Those of an identity's addresses that are NAT addresses. */
  readonly nat: (identity: string) => AddressRanges;
  readonly region: (deny: DenyTemplate) => AddressRanges;
}

interface Template {
  readonly allows: readonly AllowTemplate[];
  readonly denies: readonly DenyTemplate[];
}

const ipListRanges = new WeakMap<readonly string[], AddressRanges>();

function rangesOf(source: AllowTemplate, seen: SeenAddresses): AddressRanges {
  if (source.kind === "identity") return seen.source(source.identity);
  let ranges = ipListRanges.get(source.cidrs);
  if (ranges === undefined) {
    ranges = AddressRanges.of(source.cidrs);
    ipListRanges.set(source.cidrs, ranges);
  }
  return ranges;
}

/**
 * Pairs that never cut by address: a deny matching the source's own identity takes its services
 * whatever its addresses, and a deny of other services leaves the source's alone.
 */
function neverCutsByAddress(source: AllowTemplate, deny: DenyTemplate): boolean {
  if (source.kind === "identity" && deny.kind === "identities" && deny.identities.has(source.identity))
    return true;
  return intersectServices(source.services, deny.services).length === 0;
}

/**
 * What a destination's grants and findings read of members' addresses, as a digest of text: for
 * each (allow source, deny rule) pair that meets, the source's addresses and NAT addresses, where
 * the rule's region meets them, and which denied identities hold those addresses (whole and NAT),
 * as denySource's cut and its nat-shared-denied finding use them. Empty while no pair meets: then
 * the grants are whole. Equal text, equal grants and findings; a move that leaves it equal concerns
 * the peer sets alone. The digest, because a boundary's text lists every denied address, and each
 * destination keeps its own.
 */
export function cutSignature(template: Template, seen: SeenAddresses): string {
  const parts: string[] = [];
  template.allows.forEach((source, s) => {
    const ranges = rangesOf(source, seen);
    if (ranges.empty) return;
    template.denies.forEach((deny, d) => {
      if (neverCutsByAddress(source, deny)) return;
      const met = ranges.intersect(seen.region(deny));
      if (met.empty) return;
      const nat = source.kind === "identity" ? seen.nat(source.identity) : AddressRanges.EMPTY;
      parts.push(`${s}.${d} ${text(ranges)} ${text(nat)} ${text(met)} ${holders(deny, met, seen)}`);
    });
  });
  return parts.length === 0 ? "" : createHash("sha256").update(parts.join("\n")).digest("base64");
}

function text(ranges: AddressRanges): string {
  return ranges.toCidrs().join(",");
}

/**
 * Where each denied identity's addresses are, per region: the compiler keeps a region until one of
 * its identities moves and then makes a new one, so an index lives exactly as long as its region.
 */
const holderIndexes = new WeakMap<AddressRanges, AddressIndex<string>>();

function holderIndex(deny: DenyTemplate & { kind: "identities" }, seen: SeenAddresses): AddressIndex<string> {
  const region = seen.region(deny);
  let index = holderIndexes.get(region);
  if (index === undefined) {
    index = AddressIndex.of(
      [...deny.identities].map((identity) => [identity, seen.source(identity)] as const),
    );
    holderIndexes.set(region, index);
  }
  return index;
}

/**
 * The denied identities with addresses where the region met a source, and which of them are NAT:
 * found in the region's index, not by looking at each of the rule's identities for each pair.
 */
function holders(deny: DenyTemplate, met: AddressRanges, seen: SeenAddresses): string {
  if (deny.kind !== "identities") return "";
  const held: string[] = [];
  for (const identity of holderIndex(deny, seen).meeting(met)) {
    const whole = seen.source(identity);
    held.push(`${identity}=${text(whole.intersect(met))}/${text(seen.nat(identity).intersect(met))}`);
  }
  return held.sort().join(";");
}
