/** One pass over a parsed document: schema, semantic checks, then resolution and warnings when all pass. */
import { forbiddenKeyIssues } from "../util/forbidden-keys.js";
import type { DraftIssue } from "../util/source-issues.js";
import { draftIssuesFromZod, documentErrorMap as policyErrorMap } from "../util/zod-issues.js";
import type { Policy } from "./model.js";
import { partsOfPolicy, partsOfRawDocument } from "./parts.js";
import { resolvePolicy } from "./resolve.js";
import { policyDocumentSchema } from "./schema.js";
import { checkPolicySemantics } from "./validate.js";
import { policyWarnings } from "./warnings.js";

export type DocumentCheck =
  | { ok: true; policy: Policy; warnings: readonly DraftIssue[] }
  | { ok: false; issues: readonly DraftIssue[] };

export function checkPolicyDocument(document: unknown): DocumentCheck {
  const forbidden = forbiddenKeyIssues(document);
  const parsed = policyDocumentSchema.safeParse(document, { error: policyErrorMap, reportInput: true });
  if (parsed.success) {
    const issues = [...forbidden, ...checkPolicySemantics(partsOfPolicy(parsed.data))];
    if (issues.length > 0) return { ok: false, issues };
    return { ok: true, policy: resolvePolicy(parsed.data), warnings: policyWarnings(parsed.data) };
  }
  const schemaIssues = draftIssuesFromZod(parsed.error.issues);
  return {
    ok: false,
    issues: [...forbidden, ...schemaIssues, ...checkPolicySemantics(partsOfRawDocument(document))],
  };
}
