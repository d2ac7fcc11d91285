import type { AwsTag } from "../../../lib/clouds/aws/model.js";
import { fail } from "./failures.js";
import type { SimRegion } from "./region.js";
import { checkTagKey, checkTags, mergedTags, type TagMap } from "./tags.js";

interface Taggable {
  tags: TagMap;
}

/** The taggable resource behind an id, told apart by its prefix as EC2 does. */
function taggable(region: SimRegion, resourceId: string): Taggable {
  if (resourceId.startsWith("eni-attach-")) {
    throw fail.invalid("InvalidID", `The ID '${resourceId}' is not valid for tagging`);
  }
  if (resourceId.startsWith("sg-")) return region.group(resourceId);
  if (resourceId.startsWith("eni-")) return region.networkInterface(resourceId);
  if (resourceId.startsWith("pl-")) return region.prefixList(resourceId);
  if (resourceId.startsWith("i-")) return region.instance(resourceId);
  throw fail.invalid("InvalidID", `The ID '${resourceId}' is not valid`);
}

/**
 * CreateTags: every resource is checked before any is changed. No resource or no tag is no call,
 * as in the SDK adapter: there is nothing to do.
 */
export function createTags(region: SimRegion, resourceIds: readonly string[], tags: readonly AwsTag[]): void {
  if (resourceIds.length === 0 || tags.length === 0) return;
  checkTags(tags);
  const updates = resourceIds.map((resourceId) => {
    const target = taggable(region, resourceId);
    return { target, tags: mergedTags(resourceId, target.tags, tags) };
  });
  for (const update of updates) update.target.tags = update.tags;
}

/**
 * DeleteTags by key: keys a resource does not have are ignored, as in EC2. With no keys EC2 would
 * delete every tag, ownership tag included; segsync never means that, so the port deletes nothing
 * (as the SDK adapter sends nothing).
 */
export function deleteTags(
  region: SimRegion,
  resourceIds: readonly string[],
  tagKeys: readonly string[],
): void {
  if (resourceIds.length === 0 || tagKeys.length === 0) return;
  for (const key of tagKeys) checkTagKey(key);
  const targets = resourceIds.map((resourceId) => taggable(region, resourceId));
  for (const target of targets) {
    const next = new Map(target.tags);
    for (const key of tagKeys) next.delete(key);
    target.tags = next;
  }
}
