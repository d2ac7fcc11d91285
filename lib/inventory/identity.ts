/**
 * An identity is the canonical tuple of a workload's label values, e.g. `app=shop,env=prod,role=web`.
 * Its short hash names the cloud objects that enforce it (security groups, NSGs, ASGs, network
 * tags, firewall rules), so both must never change for the same labels: dimensions are sorted
 * (reordering them in the policy renames nothing) and the hash is a fixed function, pinned by a
 * test vector.
 */
import { createHash } from "node:crypto";
import { compareText } from "../util/compare-text.js";
import { InvalidLabelsError } from "./errors.js";
import { PORTABLE_LABEL_KEY, PORTABLE_LABEL_VALUE } from "./labels.js";

export interface Identity {
  /** Canonical tuple, e.g. `app=shop,env=prod,role=web`. */
  readonly identity: string;
  /** `identityHash(identity)`: 12 characters of a-z and 2-7. */
  readonly hash: string;
}

/** Owned cloud objects are named `segsync-<hash>`; the prefix is also the ownership marker. */
export const OWNED_NAME_PREFIX = "segsync-";

const BASE32_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
const HASH_LENGTH = 12;
const HASH_PATTERN = /^[a-z2-7]{12}$/;

/**
 * The canonical tuple of the labels (as `readLabels` returns them), or undefined when there are
 * none: a workload without segsync labels is unmanaged. Throws InvalidLabelsError on a
 * non-portable key or value, because `,` or `=` inside one would make two tuples look alike.
 */
export function canonicalIdentity(labels: Readonly<Record<string, string>>): string | undefined {
  const dimensions = Object.keys(labels).sort(compareText);
  if (dimensions.length === 0) return undefined;
  return dimensions
    .map((dimension) => {
      const value = labels[dimension] ?? "";
      if (!PORTABLE_LABEL_KEY.test(dimension) || !PORTABLE_LABEL_VALUE.test(value)) {
        throw new InvalidLabelsError(
          `label ${JSON.stringify(dimension)}=${JSON.stringify(value)} is not portable and cannot form an identity`,
        );
      }
      return `${dimension}=${value}`;
    })
    .join(",");
}

/**
 * sha256 of the canonical tuple (UTF-8), base32 (RFC 4648 alphabet, lowercase), first 12
 * characters: 60 bits, so a collision among even a million identities has odds below 1e-6,
 * and the result is valid in every cloud's object names. Never change this function: every
 * owned object in every cloud is named after it.
 */
export function identityHash(canonical: string): string {
  const digest = createHash("sha256").update(canonical, "utf8").digest();
  let hash = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of digest) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && hash.length < HASH_LENGTH) {
      bits -= 5;
      hash += BASE32_ALPHABET[(buffer >> bits) & 31];
    }
    if (hash.length === HASH_LENGTH) break;
  }
  return hash;
}

/** The identity of a workload with these labels, or undefined when it is unmanaged (no labels). */
export function identityOf(labels: Readonly<Record<string, string>>): Identity | undefined {
  const identity = canonicalIdentity(labels);
  return identity === undefined ? undefined : { identity, hash: identityHash(identity) };
}

/** The name of the owned objects of the identity with this hash: `segsync-<hash>`. */
export function ownedName(hash: string): string {
  if (!HASH_PATTERN.test(hash)) {
    // A caller bug, not bad input: hashes only come from identityHash.
    throw new TypeError(`"${hash}" is not an identity hash (12 characters of a-z and 2-7)`);
  }
  return `${OWNED_NAME_PREFIX}${hash}`;
}
