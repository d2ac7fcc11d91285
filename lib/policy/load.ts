/**
 * Loading a policy: from text (YAML or JSON, every issue with its line and column), from a file,
 * or from an already-parsed object (benchmarks and tests build policies programmatically). All
 * issues are reported at once; a policy comes back only when there are none.
 */
import { type DocumentLoad, loadDocumentText, readDocumentFile } from "../util/load-document.js";
import { type DraftIssue, formatPath, type SourceIssue } from "../util/source-issues.js";
import { checkPolicyDocument } from "./check.js";
import type { Policy } from "./model.js";

export { formatIssue } from "../util/source-issues.js";
/** A policy's issues are every document's (lib/util/source-issues.ts). */
export type PolicyIssue = SourceIssue;

/** `warnings`: valid settings without effect (lib/policy/warnings.ts); empty for most policies. */
export type PolicyLoadResult =
  | { ok: true; policy: Policy; warnings: readonly PolicyIssue[] }
  | { ok: false; issues: readonly PolicyIssue[] };

function asPolicyResult(result: DocumentLoad<Policy>): PolicyLoadResult {
  return result.ok ? { ok: true, policy: result.value, warnings: result.warnings ?? [] } : result;
}

/** Parses and checks policy text; `fileName` decides JSON (`.json`) or YAML scalars. */
export function loadPolicyText(text: string, fileName: string): PolicyLoadResult {
  return asPolicyResult(
    loadDocumentText(text, fileName, "policy", (document) => {
      const checked = checkPolicyDocument(document);
      return checked.ok ? { ok: true, value: checked.policy, warnings: checked.warnings } : checked;
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
  const placed = (issue: DraftIssue): PolicyIssue => ({
    path: formatPath(issue.path),
    message: issue.message,
  });
  if (checked.ok) return { ok: true, policy: checked.policy, warnings: checked.warnings.map(placed) };
  return {
    ok: false,
    issues: checked.issues.map(placed),
  };
}
