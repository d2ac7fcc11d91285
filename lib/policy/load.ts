/**
 * Loading a policy: from text (YAML or JSON, every issue with its line and column), from a file,
 * or from an already-parsed object (benchmarks and tests build policies programmatically). All
 * issues are reported at once; a policy comes back only when there are none.
 */
import { type DocumentLoad, loadDocumentText, readDocumentFile } from "../util/load-document.js";
import { formatPath, type SourceIssue } from "../util/source-issues.js";
import { checkPolicyDocument } from "./check.js";
import type { Policy } from "./model.js";

export { formatIssue } from "../util/source-issues.js";
/** A policy's issues are every document's (lib/util/source-issues.ts). */
export type PolicyIssue = SourceIssue;

export type PolicyLoadResult = { ok: true; policy: Policy } | { ok: false; issues: readonly PolicyIssue[] };

function asPolicyResult(result: DocumentLoad<Policy>): PolicyLoadResult {
  return result.ok ? { ok: true, policy: result.value } : result;
}

/** Parses and checks policy text; `fileName` decides JSON (`.json`) or YAML scalars. */
export function loadPolicyText(text: string, fileName: string): PolicyLoadResult {
  return asPolicyResult(
    loadDocumentText(text, fileName, "policy", (document) => {
      const checked = checkPolicyDocument(document);
      return checked.ok ? { ok: true, value: checked.policy } : checked;
    }),
  );
}

export async function loadPolicyFile(path: string): Promise<PolicyLoadResult> {
  const read = await readDocumentFile(path);
  return read.ok ? loadPolicyText(read.text, path) : read;
}

/** The same checks on a JS object; issues carry paths but no positions. */
export function resolvePolicyDocument(document: unknown): PolicyLoadResult {
  const checked = checkPolicyDocument(document);
  if (checked.ok) return checked;
  return {
    ok: false,
    issues: checked.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
  };
}
