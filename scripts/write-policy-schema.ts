/** Writes schema/policy.schema.json from the zod schema (`npm run schema`); a test fails when it is stale. */
import { writeFile } from "node:fs/promises";
import { policyJsonSchemaText } from "../lib/policy/json-schema.js";

const target = new URL("../schema/policy.schema.json", import.meta.url);
await writeFile(target, policyJsonSchemaText());
console.log(`wrote ${target.pathname}`);
