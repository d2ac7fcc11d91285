/** One pass over a parsed document: schema, semantic checks, and resolution when all pass. */
import { forbiddenKeyIssues } from "../util/forbidden-keys.js";
import type { DraftIssue } from "../util/source-issues.js";
import { draftIssuesFromZod, documentErrorMap as policyErrorMap } from "../util/zod-issues.js";
import type { Policy } from "./model.js";
import { partsOfPolicy, partsOfRawDocument } from "./parts.js";
import { resolvePolicy } from "./resolve.js";
import { policyDocumentSchema } from "./schema.js";
import { checkPolicySemantics } from "./validate.js";

export type DocumentCheck = { ok: true; policy: Policy } | { ok: false; issues: readonly DraftIssue[] };

export function checkPolicyDocument(document: unknown): DocumentCheck {
  const forbidden = forbiddenKeyIssues(document);
  const parsed = policyDocumentSchema.safeParse(document, { error: policyErrorMap, reportInput: true });
  if (parsed.success) {
    const issues = [...forbidden, ...checkPolicySemantics(partsOfPolicy(parsed.data))];
    return issues.length > 0 ? { ok: false, issues } : { ok: true, policy: resolvePolicy(parsed.data) };
  }
  const schemaIssues = draftIssuesFromZod(parsed.error.issues);
  return {
    ok: false,
    issues: [...forbidden, ...schemaIssues, ...checkPolicySemantics(partsOfRawDocument(document))],
  };
}
