import { formatIssue, type SourceIssue as PolicyIssue } from "../util/source-issues.js";
import type { Policy } from "./model.js";

export interface PolicyInvalidErrorOptions {
  /** The file the issues are in, for the message. */
  readonly fileName?: string;
  readonly cause?: unknown;
}

/** Thrown where an invalid policy must stop everything (a CDK synth, a reconcile): it carries every issue. */
export class PolicyInvalidError extends Error {
  override readonly name = "PolicyInvalidError";
  readonly issues: readonly PolicyIssue[];

  constructor(issues: readonly PolicyIssue[], options: PolicyInvalidErrorOptions = {}) {
    const fileName = options.fileName ?? "policy";
    const count = issues.length === 1 ? "1 issue" : `${issues.length} issues`;
    const lines = issues.map((issue) => formatIssue(fileName, issue));
    super([`${fileName}: invalid policy (${count})`, ...lines].join("\n"), { cause: options.cause });
    this.issues = issues;
  }
}

/** The policy of a load result, or a PolicyInvalidError with all its issues. */
export function policyOrThrow(
  result: { ok: true; policy: Policy } | { ok: false; issues: readonly PolicyIssue[] },
  fileName?: string,
): Policy {
  if (result.ok) return result.policy;
  throw new PolicyInvalidError(result.issues, { fileName });
}
