/**
 * The naming rules of the policy language. Label keys and values must be valid in all three
 * clouds at once (GCP labels are the strictest: lowercase, at most 63 characters), so a policy
 * that validates here can be enforced anywhere.
 */

/** Dimension names, tag keys (tagPrefix + dimension), and the names of services, ipLists and rulesets. */
export const NAME_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;

/** Label values, as selectors spell them. */
export const LABEL_VALUE_PATTERN = /^[a-z0-9_-]{1,63}$/;

/** Empty, or a prefix that still leaves room for a one-character dimension in a 63-character key. */
export const TAG_PREFIX_PATTERN = /^(?:[a-z][a-z0-9_-]{0,61})?$/;

/** Service names that would shadow the inline services of the same spelling. */
export const RESERVED_SERVICE_NAMES: readonly string[] = ["icmp", "all"];

/** The selector key that names an ipList source instead of a dimension. */
export const IP_LIST_KEY = "ipList";

export const DEFAULT_TAG_PREFIX = "seg-";
export const DEFAULT_DIMENSIONS: readonly string[] = ["app", "env", "role", "loc"];
