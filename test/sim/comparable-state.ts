/**
 * The State document (DESIGN §6) without what the clouds assign as writes happen: two runs that
 * reach the same objects by different paths (events in another order, a group created in
 * another reconcile) differ only in these, so they are taken out before comparing.
 * - AWS: prefix list and security group ids (counters, in creation order) become their names,
 *   wherever they are referred to; a prefix list's Version and State count its modifications.
 * - Azure: etags, new on every write.
 * - GCP: firewall ids (counters) and fingerprints, new on every setTags or setLabels.
 * Lists are put in one order again, since the State sorts them by those ids.
 */
import type { SimulatedState } from "../../lib/sim/state-out.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function rewrite(
  value: Json,
  drop: (key: string, parent: { [key: string]: Json }) => boolean,
  rename: ReadonlyMap<string, string>,
): Json {
  if (typeof value === "string") return rename.get(value) ?? value;
  if (Array.isArray(value)) {
    const keyed = value.map((item) => {
      const rewritten = rewrite(item, drop, rename);
      return { key: JSON.stringify(rewritten), rewritten };
    });
    return keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((item) => item.rewritten);
  }
  if (value === null || typeof value !== "object") return value;
  const out: { [key: string]: Json } = {};
  for (const [key, item] of Object.entries(value))
    if (!drop(key, value)) out[key] = rewrite(item, drop, rename);
  return out;
}

export function comparableState(state: SimulatedState): Json {
  const json = JSON.parse(JSON.stringify(state)) as {
    aws: {
      managedPrefixLists: { PrefixListId: string; PrefixListName: string }[];
      securityGroups: { GroupId: string; GroupName: string }[];
    };
    azure: Json;
    gcp: Json;
  };
  const names = new Map<string, string>([
    ...json.aws.managedPrefixLists.map((pl) => [pl.PrefixListId, `pl:${pl.PrefixListName}`] as const),
    ...json.aws.securityGroups.map((sg) => [sg.GroupId, `sg:${sg.GroupName}`] as const),
  ]);
  const none = new Map<string, string>();
  return {
    aws: rewrite(
      json.aws as unknown as Json,
      (key, parent) => (key === "Version" || key === "State") && "PrefixListId" in parent,
      names,
    ),
    azure: rewrite(json.azure, (key) => key === "etag", none),
    gcp: rewrite(
      json.gcp,
      (key, parent) => /fingerprint$/i.test(key) || (key === "id" && "direction" in parent),
      none,
    ),
  };
}
