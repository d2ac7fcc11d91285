/** The clouds that have organisation guardrails (docs/guardrails.md). */
export const GUARDRAIL_CLOUDS = ["aws", "azure", "gcp"] as const;
export type GuardrailCloud = (typeof GUARDRAIL_CLOUDS)[number];
