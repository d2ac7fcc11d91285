/**
 * The live configuration (`kind: Config`): which accounts, subscriptions and projects segsync
 * manages, how it authenticates to Azure and GCP, each cloud's quotas, and the blast-radius guard.
 * The CLI reads it with `--live --config F`; the CDK construct passes it to the reconciler function
 * as JSON. The policy is not part of it: it is a file of its own. Each cloud's section is its
 * live part's (lib/clouds/<cloud>/live.ts, through the registry).
 */
import { z } from "zod";
import { LIVE } from "../clouds/registry.js";
import { CLOUDS } from "../inventory/model.js";
import { GuardLimitsSchema } from "../reconcile/guard.js";
import { SecretArnSchema } from "./secret-arn.js";

export const RecordKeySourceSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("secret"),
      /** A Secrets Manager secret whose SecretString is the key (at least 32 characters). */
      secretArn: SecretArnSchema,
    })
    .strict(),
  z
    .object({
      kind: z.literal("env"),
      variable: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "not an environment variable name"),
    })
    .strict(),
]);

export type RecordKeySource = z.infer<typeof RecordKeySourceSchema>;

type SectionSchemas = { readonly [C in keyof typeof LIVE]: z.ZodOptional<(typeof LIVE)[C]["section"]> };

/** Every cloud's section, each optional, in the order of CLOUDS. */
function sectionSchemas(): SectionSchemas {
  return Object.fromEntries(CLOUDS.map((cloud) => [cloud, LIVE[cloud].section.optional()])) as SectionSchemas;
}

export const LiveConfigSchema = z
  .object({
    apiVersion: z.literal("segsync/v1"),
    kind: z.literal("Config"),
    ...sectionSchemas(),
    guard: GuardLimitsSchema.optional(),
    /**
     * The record key: the secret under which segsync seals what it owns and what it records for
     * restore (docs/trust-model.md). A Secrets Manager secret (the construct creates one), or an
     * environment variable holding at least 32 characters; default: SEGSYNC_RECORD_KEY.
     */
    recordKey: RecordKeySourceSchema.optional(),
  })
  .strict()
  .refine((config) => CLOUDS.some((cloud) => config[cloud] !== undefined), {
    message: `names no cloud: give at least one of ${CLOUDS.slice(0, -1).join(", ")} and ${CLOUDS.at(-1)}`,
  });

export type LiveConfig = z.infer<typeof LiveConfigSchema>;
