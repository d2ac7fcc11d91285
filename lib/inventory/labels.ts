/**
 * Labels are read from a workload's raw tags (AWS, Azure) or labels (GCP): the tag
 * `<tagPrefix><dimension>` carries the value of that dimension. Only what is valid in all three
 * clouds at once counts (docs/policy.md), so that a workload keeps its identity when it moves
 * clouds.
 */

/** Portable label keys: GCP label keys, which are the strictest of the three clouds. */
import { compareText } from "../util/compare-text.js";

export const PORTABLE_LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;

/** Portable label values: GCP label values, but never empty (Azure's handling of empty values is unclear). */
export const PORTABLE_LABEL_VALUE = /^[a-z0-9_-]{1,63}$/;

export interface LabelConfig {
  readonly tagPrefix: string;
  readonly dimensions: readonly string[];
}

/** A segsync tag that was ignored because it would not mean the same in every cloud. */
export interface LabelProblem {
  readonly tagKey: string;
  readonly value: string;
  readonly message: string;
}

export interface LabelReading {
  /** dimension → value, only for dimensions with a portable value. */
  readonly labels: Readonly<Record<string, string>>;
  readonly problems: readonly LabelProblem[];
}

/**
 * Reads the declared dimensions from raw tags. A non-portable value, or a key that matches
 * `<tagPrefix><dimension>` only when case is ignored (`Seg-App`), is reported and treated as
 * absent. Tags under the prefix for undeclared dimensions are not segsync's business: ignored.
 */
export function readLabels(tags: Readonly<Record<string, string>>, config: LabelConfig): LabelReading {
  return labelReader(config)(tags);
}

/** readLabels with the key lookups prepared once: the compiler reads every workload's tags. */
export function labelReader(config: LabelConfig): (tags: Readonly<Record<string, string>>) => LabelReading {
  const wanted = new Map<string, string>();
  for (const dimension of config.dimensions) wanted.set(`${config.tagPrefix}${dimension}`, dimension);
  const wantedByLowercase = new Map<string, string>();
  for (const key of wanted.keys()) wantedByLowercase.set(key.toLowerCase(), key);

  return (tags) => {
    const labels: Record<string, string> = {};
    const problems: LabelProblem[] = [];
    // Sorted keys make the order of problems independent of how the cloud listed the tags.
    for (const tagKey of Object.keys(tags).sort(compareText)) {
      const value = tags[tagKey] ?? "";
      const dimension = wanted.get(tagKey);
      if (dimension !== undefined) {
        if (PORTABLE_LABEL_VALUE.test(value)) labels[dimension] = value;
        else problems.push({ tagKey, value, message: nonPortableValueMessage(tagKey, value) });
        continue;
      }
      const intended = wantedByLowercase.get(tagKey.toLowerCase());
      if (intended !== undefined) {
        problems.push({
          tagKey,
          value,
          message: `tag key "${tagKey}" is not portable: keys are lowercase, write "${intended}"`,
        });
      }
    }
    return { labels, problems };
  };
}

function nonPortableValueMessage(tagKey: string, value: string): string {
  const why =
    value.length === 0
      ? "values must not be empty"
      : value.length > 63
        ? "values are at most 63 characters"
        : value.toLowerCase() !== value && PORTABLE_LABEL_VALUE.test(value.toLowerCase())
          ? "values are lowercase"
          : "values use only a-z, 0-9, _ and -";
  return `tag "${tagKey}" has value ${JSON.stringify(value)}, which is not portable: ${why}`;
}
