/**
 * The tag keys segsync writes in GCP: none. It marks its firewall rules and network tags by name
 * and description (./ownership.ts), which IAM deny rules cannot single out, so the guardrails
 * reserve whole permissions there instead (lib/guardrails/gcp.ts). A leaf, registered in
 * lib/clouds/names.ts.
 */

export const GCP_OWNERSHIP_KEYS = { owned: [], records: [] } as const;
