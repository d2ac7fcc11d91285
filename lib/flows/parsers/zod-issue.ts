/** The first problem zod found in a log entry, as `path: message`, for a malformed record's reason. */
import type { z } from "zod";

export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return "does not have the expected shape";
  const path = issue.path.map(String).join(".");
  return path === "" ? issue.message : `${path}: ${issue.message}`;
}
