/**
 * Loading a policy: from text (YAML or JSON, every issue with its line and column), from a file,
 * or from an already-parsed object (benchmarks and tests build policies programmatically). All
 * issues are reported at once; a policy comes back only when there are none.
 */
import { readFile } from "node:fs/promises";
import { checkPolicyDocument } from "./check.js";
import { formatPath, type PolicyIssue } from "./issues.js";
import type { Policy } from "./model.js";
import { parsePolicySource } from "./yaml-source.js";

export { formatIssue, type PolicyIssue } from "./issues.js";

export type PolicyLoadResult = { ok: true; policy: Policy } | { ok: false; issues: readonly PolicyIssue[] };

function byPosition(a: PolicyIssue, b: PolicyIssue): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}

/** Parses and checks policy text; `fileName` decides JSON (`.json`) or YAML scalars. */
export function loadPolicyText(text: string, fileName: string): PolicyLoadResult {
  const source = parsePolicySource(text, { json: fileName.toLowerCase().endsWith(".json") });
  if (source.malformed) return { ok: false, issues: [...source.issues].sort(byPosition) };
  const checked = checkPolicyDocument(source.value);
  if (checked.ok && source.issues.length === 0) return checked;
  const located = checked.ok ? [] : checked.issues.map(source.locate);
  return { ok: false, issues: [...source.issues, ...located].sort(byPosition) };
}

const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  EISDIR: "it is a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
};

export async function loadPolicyFile(path: string): Promise<PolicyLoadResult> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = (code && READ_ERRORS[code]) ?? (error instanceof Error ? error.message : String(error));
    return { ok: false, issues: [{ path: formatPath([]), message: `cannot read the file: ${reason}` }] };
  }
  return loadPolicyText(text, path);
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
