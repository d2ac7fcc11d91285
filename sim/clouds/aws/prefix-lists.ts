import type { AwsTag, PrefixListEntry } from "../../../lib/clouds/aws/model.js";
import { parseCidr } from "../../../lib/net/cidr.js";
import { fail } from "./failures.js";
import type { SimRegion } from "./region.js";
import { checkDescription } from "./rules.js";
import { checkTags, mergedTags } from "./tags.js";

/**
 * The largest MaxEntries a customer-managed list may have (docs/clouds.md,
 * "AWS managed prefix lists").
 */
export const MAX_PREFIX_LIST_ENTRIES = 1000;

export function createManagedPrefixList(
  region: SimRegion,
  input: {
    readonly name: string;
    readonly addressFamily: "IPv4" | "IPv6";
    readonly maxEntries: number;
    readonly entries: readonly PrefixListEntry[];
    readonly tags: readonly AwsTag[];
  },
): { prefixListId: string; version: number } {
  if (input.name.length === 0 || input.name.length > 255 || input.name.startsWith("com.amazonaws")) {
    throw fail.invalid("InvalidParameterValue", `Invalid prefix list name "${input.name}".`);
  }
  if (input.addressFamily !== "IPv4" && input.addressFamily !== "IPv6") {
    throw fail.invalid(
      "InvalidParameterValue",
      `Address family must be IPv4 or IPv6, got "${input.addressFamily}".`,
    );
  }
  if (
    !Number.isInteger(input.maxEntries) ||
    input.maxEntries < 1 ||
    input.maxEntries > MAX_PREFIX_LIST_ENTRIES
  ) {
    throw fail.invalid(
      "InvalidParameterValue",
      `Must specify a max size between 1 and ${MAX_PREFIX_LIST_ENTRIES}.`,
    );
  }
  const entries = new Map<string, string | undefined>();
  for (const entry of input.entries) {
    const cidr = checkedCidr(entry, input.addressFamily);
    if (entries.has(cidr)) throw fail.invalid("InvalidParameterValue", `The entry ${cidr} is given twice.`);
    entries.set(cidr, entry.Description);
  }
  checkSize(input.name, entries.size, input.maxEntries);
  checkTags(input.tags);
  const prefixListId = region.ids.next("pl");
  region.prefixLists.set(prefixListId, {
    prefixListId,
    name: input.name,
    addressFamily: input.addressFamily,
    maxEntries: input.maxEntries,
    ownerId: region.location.account,
    version: 1,
    state: "create-complete",
    tags: mergedTags(prefixListId, new Map(), input.tags),
    entries,
  });
  return { prefixListId, version: 1 };
}

/**
 * Adds and removes entries under optimistic concurrency. Adding an entry that exists updates its
 * description; removing one that does not exist is an error, since the caller named the version
 * it read. MaxEntries never changes here: growing past it fails.
 */
export function modifyManagedPrefixList(
  region: SimRegion,
  input: {
    readonly prefixListId: string;
    readonly currentVersion: number;
    readonly addEntries: readonly PrefixListEntry[];
    readonly removeCidrs: readonly string[];
  },
): { version: number } {
  const list = region.prefixList(input.prefixListId);
  if (list.version === undefined || list.maxEntries === undefined) throw awsManaged(list.prefixListId);
  if (input.currentVersion !== list.version) {
    throw fail.versionConflict(
      `The prefix list ${list.prefixListId} is at version ${list.version}, not ${input.currentVersion}.`,
    );
  }
  if (input.addEntries.length === 0 && input.removeCidrs.length === 0) {
    throw fail.invalid("MissingParameter", "Nothing to add or remove.");
  }
  const entries = new Map(list.entries);
  const removed = new Set<string>();
  for (const text of input.removeCidrs) {
    const cidr = checkedCidr({ Cidr: text }, list.addressFamily);
    if (!entries.delete(cidr)) {
      throw fail.invalid(
        "InvalidParameterValue",
        `The entry ${cidr} is not in prefix list ${list.prefixListId}.`,
      );
    }
    removed.add(cidr);
  }
  for (const entry of input.addEntries) {
    const cidr = checkedCidr(entry, list.addressFamily);
    if (removed.has(cidr)) {
      throw fail.invalid("InvalidParameterValue", `The entry ${cidr} is both added and removed.`);
    }
    entries.set(cidr, entry.Description);
  }
  checkSize(list.prefixListId, entries.size, list.maxEntries);
  list.entries = entries;
  list.version += 1;
  list.state = "modify-complete";
  return { version: list.version };
}

export function deleteManagedPrefixList(region: SimRegion, prefixListId: string): void {
  if (region.prefixList(prefixListId).version === undefined) throw awsManaged(prefixListId);
  const referrer = [...region.groups.values()].find((group) =>
    [...group.ingress.values(), ...group.egress.values()].some(
      (rule) => rule.source.kind === "prefixList" && rule.source.prefixListId === prefixListId,
    ),
  );
  if (referrer !== undefined) {
    throw fail.dependency(`The prefix list ${prefixListId} is referenced by ${referrer.groupId}`);
  }
  region.prefixLists.delete(prefixListId);
}

/** AWS-managed lists (no Version) are read-only; EC2 documents no code for the refusal, this is the simulator's. */
function awsManaged(prefixListId: string): Error {
  return fail.invalid(
    "InvalidPrefixListModification",
    `The prefix list ${prefixListId} is managed by AWS and cannot be modified or deleted.`,
  );
}

function checkSize(subject: string, size: number, maxEntries: number): void {
  if (size > maxEntries) {
    // Not one of EC2's published codes: the simulator's name for "more entries than MaxEntries".
    throw fail.quota(
      "PrefixListMaxEntriesExceeded",
      `Prefix list ${subject} would hold ${size} entries, over its MaxEntries of ${maxEntries}.`,
    );
  }
}

function checkedCidr(entry: PrefixListEntry, family: "IPv4" | "IPv6"): string {
  const parsed = parseCidr(entry.Cidr ?? "");
  const wanted = family === "IPv4" ? 4 : 6;
  if (!String(entry.Cidr).includes("/") || !parsed.ok || parsed.cidr.family !== wanted) {
    throw fail.invalid("InvalidParameterValue", `"${entry.Cidr}" is not an ${family} CIDR block.`);
  }
  checkDescription(entry.Description);
  return parsed.cidr.text;
}
