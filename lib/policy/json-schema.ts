import { z } from "zod";
import { policyDocumentSchema } from "./schema.js";

export const POLICY_SCHEMA_ID = "urn:segsync:schema:policy:v1";

/** The JSON Schema of the policy document (as written: defaults are optional), for editors. */
export function policyJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(policyDocumentSchema, { io: "input", target: "draft-2020-12" });
  const { $schema, ...rest } = generated;
  return { $schema, $id: POLICY_SCHEMA_ID, title: "segsync policy (segsync/v1)", ...rest };
}

/** The committed file's exact text: pretty-printed with a trailing newline. */
export function policyJsonSchemaText(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}
