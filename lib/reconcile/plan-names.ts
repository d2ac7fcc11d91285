/**
 * Short names for the ids a plan's text mentions (docs/reviewing-plans.md): a workload or network
 * by its own name and cloud (`vm-web-1 (azure)`), the full id only where two share a short name;
 * segsync's object names followed by the identity they stand for; seals cut to their first
 * characters, Azure resource ids by their name. The JSON outputs keep every id in full.
 */
import type { Intent } from "../compile/model.js";
import { identityHash } from "../inventory/identity.js";

export interface PlanNames {
  /** Workload and network ids made short, seals cut. */
  shorten(text: string): string;
  /** As shorten, and each `segsync-<hash>…` name followed by `(<identity>)`. */
  annotate(text: string): string;
}

const CLOUD_ID = /\b(aws|azure|gcp):[^\s,()]+/g;
// An Azure resource id: its name says enough in text (the JSON outputs keep the id).
const ARM_ID = /\/subscriptions\/[^\s,()]+\/providers\/[^\s,()]+\/([^\s,()/]+)/gi;
const SEAL = /\b(segsync-seal-[0-9a-f]{8})[0-9a-f]{32}\b/g;
// segsync's names start with the identity hash: a group `segsync-<hash>`, an ASG or prefix list
// `segsync-<hash>-<suffix>`, a network tag `segsync-<hash>`.
const OWNED_NAME = /\bsegsync-([a-z2-7]{12})(?:-[a-z0-9-]+)?\b/g;

type NamedIntent = Pick<Intent, "workloads" | "destinations" | "peerSets">;

function shortNames(ids: Iterable<string>): Map<string, string> {
  const byShort = new Map<string, string[]>();
  for (const id of ids) {
    const parts = id.split(":");
    const short = `${parts.at(-1)} (${parts[0]})`;
    byShort.set(short, [...(byShort.get(short) ?? []), id]);
  }
  const names = new Map<string, string>();
  for (const [short, owners] of byShort) if (owners.length === 1) names.set(owners[0] as string, short);
  return names;
}

/** An id as the text has it may end in punctuation that is not part of it (`…-net:` or `…-1.`). */
function shortenId(token: string, names: ReadonlyMap<string, string>): string {
  const trailing = /[.:;]+$/.exec(token)?.[0] ?? "";
  const id = token.slice(0, token.length - trailing.length);
  const short = names.get(id);
  return short === undefined ? token : `${short}${trailing}`;
}

export function planNames(intent: NamedIntent): PlanNames {
  const ids = new Set<string>(intent.workloads.map((report) => report.workload));
  for (const destination of intent.destinations) ids.add(destination.network);
  for (const peerSet of intent.peerSets) ids.add(peerSet.network);
  const identities = new Map<string, string>();
  for (const ref of [...intent.destinations, ...intent.peerSets]) identities.set(ref.hash, ref.identity);
  for (const report of intent.workloads)
    if (report.identity !== "") identities.set(identityHash(report.identity), report.identity);
  return namesOf(ids, identities);
}

/** Names for these workload and network ids, and identities by hash for `annotate`. */
export function namesOf(
  ids: Iterable<string>,
  identities: ReadonlyMap<string, string> = new Map(),
): PlanNames {
  const names = shortNames(ids);
  const shorten = (text: string) =>
    text
      .replace(CLOUD_ID, (token) => shortenId(token, names))
      .replace(ARM_ID, "$1")
      .replace(SEAL, "$1…");
  return {
    shorten,
    annotate: (text) =>
      shorten(text).replace(OWNED_NAME, (name, hash: string) => {
        const identity = identities.get(hash);
        return identity === undefined ? name : `${name} (${identity})`;
      }),
  };
}

/** For plans rendered without an intent (a saved plan's text): ids stay as they are. */
export const FULL_NAMES: PlanNames = { shorten: (text) => text, annotate: (text) => text };
