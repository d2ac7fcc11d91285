/**
 * Loading a document that users write (a policy, an estate, a scenario) from text or a file: the
 * text is parsed with positions, the caller's check turns the value into its model or into issues
 * with paths, and every issue comes back placed (`file:line:col path: message`) and in text order.
 */
import { readFile } from "node:fs/promises";
import { byPosition, type DraftIssue, formatPath, type SourceIssue } from "./source-issues.js";
import { parseYamlSource } from "./yaml-source.js";

/** `warnings`: what is valid but worth saying (a setting without effect), placed like issues. */
export type DocumentCheck<T> =
  | { ok: true; value: T; warnings?: readonly DraftIssue[] }
  | { ok: false; issues: readonly DraftIssue[] };
export type DocumentLoad<T> =
  | { ok: true; value: T; warnings?: readonly SourceIssue[] }
  | { ok: false; issues: readonly SourceIssue[] };

/** Parses text (`fileName` decides JSON or YAML scalars) and checks the value; all issues at once. */
export function loadDocumentText<T>(
  text: string,
  fileName: string,
  documentKind: string,
  check: (value: unknown) => DocumentCheck<T>,
): DocumentLoad<T> {
  const source = parseYamlSource(text, { json: fileName.toLowerCase().endsWith(".json"), documentKind });
  if (source.malformed) return { ok: false, issues: [...source.issues].sort(byPosition) };
  const checked = check(source.value);
  if (checked.ok && source.issues.length === 0) {
    const { warnings, ...valid } = checked;
    return warnings === undefined
      ? valid
      : { ...valid, warnings: warnings.map(source.locate).sort(byPosition) };
  }
  const located = checked.ok ? [] : checked.issues.map(source.locate);
  return { ok: false, issues: [...source.issues, ...located].sort(byPosition) };
}

const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  EISDIR: "it is a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
};

/** The file's text, or the one issue saying why it cannot be read. */
export async function readDocumentFile(
  path: string,
): Promise<{ ok: true; text: string } | { ok: false; issues: readonly SourceIssue[] }> {
  try {
    return { ok: true, text: await readFile(path, "utf8") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = (code && READ_ERRORS[code]) ?? (error instanceof Error ? error.message : String(error));
    return { ok: false, issues: [{ path: formatPath([]), message: `cannot read the file: ${reason}` }] };
  }
}
