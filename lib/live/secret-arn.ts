import { z } from "zod";

/** A Secrets Manager secret's ARN, as the live configuration names a secret. */
export const SecretArnSchema = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/,
    "not a Secrets Manager secret ARN",
  );
