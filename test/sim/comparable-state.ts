/**
 * The State document (docs/formats.md, "State") without what the clouds assign as writes happen:
 * two runs that reach the same objects by different paths (events in another order, a group created
 * in another reconcile) differ only in these, so they are taken out before comparing.
 * - AWS: prefix list and security group ids (counters, in creation order) become their names,
 *   wherever they are referred to; a prefix list's Version and State count its modifications; a
 *   prefix list's seal is over its id, so a seal that verifies (the simulator's key, its owner's
 *   account, a region) becomes a marker, and one that does not stays as it is.
 * - Azure: etags, new on every write.
 * - GCP: firewall ids (counters) and fingerprints, new on every setTags or setLabels.
 * Lists are put in one order again, since the State sorts them by those ids.
 */
import { SEAL_TAG_KEY } from "../../lib/clouds/aws/ownership-keys.js";
import type { SimulatedState } from "../../sim/state-out.js";
import { AWS_OWNERSHIP } from "../support/seals.js";

/** The regions a simulated prefix list may be in: its seal names one (the state does not). */
const AWS_REGIONS = [
  ...[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "ca-west-1",
    "sa-east-1",
    "mx-central-1",
  ],
  ...[
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
  ],
  ...["ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4"],
  ...["ap-southeast-5", "ap-southeast-7", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-east-1"],
  ...["me-south-1", "me-central-1", "il-central-1", "af-south-1"],
];

type PrefixList = { PrefixListId: string; PrefixListName: string; OwnerId: string; Tags: Json };

/** The list with its seal, if it verifies in some region, replaced by a marker that names the list. */
function withComparableSeal(list: PrefixList): PrefixList {
  const tags = list.Tags as { Key: string; Value: string }[];
  const sealed = AWS_REGIONS.some((region) =>
    AWS_OWNERSHIP.ownsPrefixList({ account: list.OwnerId, region }, { ...list, Tags: tags }),
  );
  if (!sealed) return list;
  return {
    ...list,
    Tags: tags.map((tag) =>
      tag.Key === SEAL_TAG_KEY ? { Key: tag.Key, Value: `sealed:${list.PrefixListName}` } : tag,
    ),
  };
}

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
      managedPrefixLists: PrefixList[];
      securityGroups: { GroupId: string; GroupName: string }[];
    };
    azure: Json;
    gcp: Json;
  };
  const names = new Map<string, string>([
    ...json.aws.managedPrefixLists.map((pl) => [pl.PrefixListId, `pl:${pl.PrefixListName}`] as const),
    ...json.aws.securityGroups.map((sg) => [sg.GroupId, `sg:${sg.GroupName}`] as const),
  ]);
  json.aws.managedPrefixLists = json.aws.managedPrefixLists.map(withComparableSeal);
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
