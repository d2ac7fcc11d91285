/**
 * GCP: an IAM deny policy. Deny rules name principals and permissions, and their conditions can
 * only test resource tags (docs/guardrails.md): a rule cannot single out firewall rules named
 * `segsync-…` or one network tag or label key. So the rules reserve whole permissions: in the
 * projects it is attached to, only segsync changes VPC firewall rules and network tags, and only
 * the label writers (when named) change instance labels.
 */
import type { DenyPolicy } from "./schemas/gcp.js";

const EVERYONE = "principalSet://goog/public:all";

export const FIREWALL_PERMISSIONS = [
  "compute.googleapis.com/firewalls.create",
  "compute.googleapis.com/firewalls.update",
  "compute.googleapis.com/firewalls.delete",
] as const;
export const NETWORK_TAG_PERMISSIONS = ["compute.googleapis.com/instances.setTags"] as const;
export const LABEL_PERMISSIONS = ["compute.googleapis.com/instances.setLabels"] as const;

/** `segsync` and `labelWriters` as IAM v2 principal identifiers (lib/guardrails/principals.ts). */
export function gcpDenyPolicy(segsync: string, labelWriters: readonly string[]): DenyPolicy {
  const rules: DenyPolicy["rules"] = [
    {
      description: "Only segsync creates, changes and deletes VPC firewall rules",
      denyRule: {
        deniedPrincipals: [EVERYONE],
        exceptionPrincipals: [segsync],
        deniedPermissions: [...FIREWALL_PERMISSIONS],
      },
    },
    {
      description: "Only segsync sets instances' network tags",
      denyRule: {
        deniedPrincipals: [EVERYONE],
        exceptionPrincipals: [segsync],
        deniedPermissions: [...NETWORK_TAG_PERMISSIONS],
      },
    },
  ];
  if (labelWriters.length > 0) {
    rules.push({
      description: "Only the label writers set instances' labels",
      denyRule: {
        deniedPrincipals: [EVERYONE],
        exceptionPrincipals: [...labelWriters],
        deniedPermissions: [...LABEL_PERMISSIONS],
      },
    });
  }
  return { displayName: "segsync guardrails", rules };
}
