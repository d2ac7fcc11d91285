/**
 * `__proto__` as a map key. YAML and JSON.parse keep it as a plain key, but JS objects built from
 * it (zod's records among them) drop it silently: a policy's `from: { __proto__: … }` would
 * quietly widen to `{}` and match every labelled workload, an estate's tags would lose a key. So
 * it is refused wherever it appears, in every document users write.
 */
import type { DraftIssue, PathSegment } from "./source-issues.js";

const FORBIDDEN_KEY = "__proto__";

export function forbiddenKeyIssues(value: unknown, path: PathSegment[] = []): DraftIssue[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => forbiddenKeyIssues(item, [...path, index]));
  if (typeof value !== "object" || value === null) return [];
  const issues: DraftIssue[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (key === FORBIDDEN_KEY) {
      issues.push({
        path: [...path, key],
        message: `"${FORBIDDEN_KEY}" is not allowed as a key`,
        target: "key",
      });
    }
    issues.push(...forbiddenKeyIssues(child, [...path, key]));
  }
  return issues;
}
