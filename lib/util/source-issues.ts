/**
 * Problems found in a document that users write (a policy, an estate, a scenario), as they see
 * them: a path into the document, a message, and the line and column when it came from text.
 */

/** One problem, placed. */
export interface SourceIssue {
  /** Where in the document, e.g. `rulesets[0].rules[1].services[0]`; `(root)` for the document itself. */
  readonly path: string;
  readonly message: string;
  /** 1-based, when the document came from text. */
  readonly line?: number;
  readonly column?: number;
}

export type PathSegment = string | number;

/**
 * An issue before it is placed in the source text. `target: "key"` points at the map key that
 * the path ends with (an unknown key, a bad name) rather than at its value.
 */
export interface DraftIssue {
  readonly path: readonly PathSegment[];
  readonly message: string;
  readonly target?: "key" | "value";
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** `rulesets[0].rules[1].from.role`; keys that are not plain words are quoted: `networks.nat["gcp:p:n"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  if (path.length === 0) return "(root)";
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** `file:line:col path: message`, or `file: path: message` when the issue has no position. */
export function formatIssue(fileName: string, issue: SourceIssue): string {
  const where = issue.line === undefined ? `${fileName}:` : `${fileName}:${issue.line}:${issue.column ?? 1}`;
  return `${where} ${issue.path}: ${issue.message}`;
}

/** Text order: by line, then column; issues without a position first. */
export function byPosition(a: SourceIssue, b: SourceIssue): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}
