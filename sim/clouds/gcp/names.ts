import { fail } from "./failures.js";

/**
 * Compute's naming rules. Resource names (firewalls, instances, networks) and network tags share
 * RFC 1035: 1-63 of lowercase letters, digits and hyphens, starting with a letter, not ending with
 * a hyphen (docs/clouds.md, "GCP firewall rule limits" and "GCP network tags"). Labels are looser:
 * `_` and international letters ("GCP labels").
 */
export const RFC_1035 = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const RFC_1035_RULE = "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'";

const LABEL_KEY = /^\p{Ll}[\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;
export const MAX_LABELS = 64;

const ZONE = /^[a-z]+-[a-z]+\d+-[a-z]$/;

export function checkName(field: string, name: unknown): asserts name is string {
  if (typeof name !== "string" || !RFC_1035.test(name)) throw fail.invalid(field, name, RFC_1035_RULE);
}

export function isZone(zone: string): boolean {
  return ZONE.test(zone);
}

/**
 * Network tags as setTags and firewall rules take them: each RFC 1035, each once, and at most
 * `limit` (undefined: not counted, e.g. when loading what already exists).
 */
export function checkNetworkTags(field: string, tags: readonly unknown[], limit: number | undefined): void {
  const seen = new Set<string>();
  for (const [index, tag] of tags.entries()) {
    checkName(`${field}[${index}]`, tag);
    if (seen.has(tag)) throw fail.invalid(`${field}[${index}]`, tag, "Duplicate tags are not allowed.");
    seen.add(tag);
  }
  if (limit !== undefined && tags.length > limit) throw fail.limit(field, tags.length, limit, "tags");
}

export function checkLabels(labels: Readonly<Record<string, string>>): void {
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS) throw fail.limit("labels", entries.length, MAX_LABELS, "labels");
  for (const [key, value] of entries) {
    if (!LABEL_KEY.test(key)) {
      throw fail.invalid(
        "labels",
        key,
        "Label keys are 1-63 lowercase letters, digits, _ and -, starting with a lowercase letter.",
      );
    }
    if (typeof value !== "string" || !LABEL_VALUE.test(value)) {
      throw fail.invalid(`labels.${key}`, value, "Label values are 0-63 lowercase letters, digits, _ and -.");
    }
  }
}
