import type { AwsTag } from "../../../lib/clouds/aws/model.js";
import { compareText } from "../../../lib/util/compare-text.js";
import { fail } from "./failures.js";

/** Tags as EC2 keeps them: one value per key (docs/clouds.md, "AWS tags"). */
export type TagMap = Map<string, string>;

/**
 * User tags per resource; `aws:` tags are reserved and do not count (docs/clouds.md, "AWS tags").
 */
export const TAGS_PER_RESOURCE = 50;
/**
 * EC2's Tag type says 127 (the user guide says 128): the stricter one (docs/clouds.md, "AWS tags").
 */
const MAX_KEY_LENGTH = 127;
const MAX_VALUE_LENGTH = 256;

export function tagMap(tags: readonly AwsTag[] | undefined): TagMap {
  return new Map((tags ?? []).map((tag) => [tag.Key, tag.Value]));
}

/** Sorted by key, so that describe output and state files are the same on every run. */
export function tagList(tags: TagMap): AwsTag[] {
  return [...tags.entries()].sort(([a], [b]) => compareText(a, b)).map(([Key, Value]) => ({ Key, Value }));
}

export function checkTagKey(key: string): void {
  if (key.length === 0 || characterCount(key) > MAX_KEY_LENGTH) {
    throw fail.invalid(
      "InvalidParameterValue",
      `Tag key "${key}" must be 1 to ${MAX_KEY_LENGTH} characters.`,
    );
  }
  if (key.toLowerCase().startsWith("aws:")) {
    throw fail.invalid("InvalidParameterValue", `Tag keys starting with "aws:" are reserved: "${key}".`);
  }
}

export function checkTags(tags: readonly AwsTag[]): void {
  for (const tag of tags) {
    checkTagKey(tag.Key);
    if (characterCount(tag.Value) > MAX_VALUE_LENGTH) {
      throw fail.invalid(
        "InvalidParameterValue",
        `The value of tag "${tag.Key}" is longer than ${MAX_VALUE_LENGTH} characters.`,
      );
    }
  }
}

/** The tags that `target` would have after `tags` are set on it; throws when over the limit. */
export function mergedTags(resourceId: string, target: TagMap, tags: readonly AwsTag[]): TagMap {
  const merged = new Map(target);
  for (const tag of tags) merged.set(tag.Key, tag.Value);
  if (merged.size > TAGS_PER_RESOURCE) {
    throw fail.quota(
      "TagLimitExceeded",
      `Resource ${resourceId} would have more than ${TAGS_PER_RESOURCE} tags.`,
    );
  }
  return merged;
}

/** "Unicode characters in UTF-8" (docs/clouds.md, "AWS tags"): code points, not UTF-16 units. */
function characterCount(text: string): number {
  return [...text].length;
}
