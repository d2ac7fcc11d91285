import type { z } from "zod";

/** A JSON path for a zod issue path, e.g. `$.workloads[2].nics[0].privateIp`. */
export function jsonPath(path: readonly PropertyKey[], root = "$"): string {
  let text = root;
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) text += `.${key}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text;
}

/** Every issue of a failed parse as `<json path>: <message>`, in the order zod found them. */
export function describeIssues(error: z.ZodError, root = "$"): string[] {
  return error.issues.map((issue) => `${jsonPath(issue.path, root)}: ${issue.message}`);
}
