/**
 * What a cloud's id format is made of: its name and the parts of its workload and network ids,
 * each with the pattern its value must match. A leaf (it imports nothing), so that each cloud's
 * `ids.ts` and the registry of names (lib/clouds/names.ts) stay leaves that lib/inventory can
 * derive CLOUDS and the id parsing from without an import cycle.
 */

/** One part of an id: its key in the parts object, the pattern its value must match. */
export interface IdPart<K extends string = string> {
  readonly key: K;
  readonly pattern: RegExp;
  /** Completes "<key> ... must be ..." in error messages. */
  readonly rule: string;
}

export function idPart<const K extends string>(key: K, pattern: RegExp, rule: string): IdPart<K> {
  return { key, pattern, rule };
}

/** A cloud's name and its id formats: `<cloud>:` and then the parts, in order, joined by `:`. */
export interface CloudIdFormat<
  C extends string = string,
  W extends readonly IdPart[] = readonly IdPart[],
  N extends readonly IdPart[] = readonly IdPart[],
> {
  /** The id prefix, and the cloud's key in every per-cloud record. */
  readonly cloud: C;
  /** As a sentence names the cloud ("AWS"). */
  readonly name: string;
  /** As a sentence names one of its things, with the article ("an AWS" workload). */
  readonly oneOf: string;
  readonly workload: W;
  readonly network: N;
}

/** Keeps the literal cloud name and part keys, which the parts types are derived from. */
export function cloudIdFormat<
  const C extends string,
  const W extends readonly IdPart[],
  const N extends readonly IdPart[],
>(format: CloudIdFormat<C, W, N>): CloudIdFormat<C, W, N> {
  return format;
}

/** An id's parts as an object: `cloud` and one string per part, by key (exact, so `cloud` narrows). */
export type IdPartsOf<C extends string, P extends readonly IdPart[]> = {
  readonly [K in "cloud" | P[number]["key"]]: K extends "cloud" ? C : string;
};
