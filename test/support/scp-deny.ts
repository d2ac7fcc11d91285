/**
 * Whether an SCP's Deny statements deny one request, for the condition operators the guardrails
 * use, with the semantics of the IAM User Guide ("Condition operators", "Multivalued context
 * keys"): enough to test what the documents mean, not an IAM engine. An operator it does not know
 * throws.
 */
import type { ServiceControlPolicy } from "../../lib/guardrails/schemas/aws.js";

export interface ScpRequest {
  readonly action: string;
  readonly principalArn: string;
  /** aws:TagKeys: the tag keys in the request; absent when the request names none. */
  readonly tagKeys?: readonly string[];
  /** The tags the resource already has (aws:ResourceTag/…). */
  readonly resourceTags?: Readonly<Record<string, string>>;
}

/** `*` any run of characters, `?` one character; case-sensitive, as StringLike and ArnLike. */
function glob(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replaceAll("*", ".*")
    .replaceAll("?", ".");
  return new RegExp(`^${source}$`, "s").test(value);
}

/** ArnLike compares the six colon-separated parts one by one. */
function arnLike(pattern: string, arn: string): boolean {
  const parts = (text: string) => {
    const split = text.split(":");
    return [...split.slice(0, 5), split.slice(5).join(":")];
  };
  const [patternParts, arnParts] = [parts(pattern), parts(arn)];
  return (
    patternParts.length === arnParts.length && patternParts.every((part, i) => glob(part, arnParts[i] ?? ""))
  );
}

function contextValues(request: ScpRequest, key: string): readonly string[] | undefined {
  if (key === "aws:TagKeys") return request.tagKeys;
  if (key === "aws:PrincipalArn") return [request.principalArn];
  if (key.startsWith("aws:ResourceTag/")) {
    const value = request.resourceTags?.[key.slice("aws:ResourceTag/".length)];
    return value === undefined ? undefined : [value];
  }
  throw new Error(`unknown context key ${key}`);
}

function conditionHolds(operator: string, key: string, expected: unknown, request: ScpRequest): boolean {
  const patterns = (Array.isArray(expected) ? expected : [expected]).map(String);
  const values = contextValues(request, key);
  switch (operator) {
    case "Null":
      return patterns[0] === "true" ? values === undefined : values !== undefined;
    case "ForAnyValue:StringLike":
      return (values ?? []).some((value) => patterns.some((pattern) => glob(pattern, value)));
    case "ArnNotLike":
      // A negated operator holds when the key is absent (IAM User Guide, condition operators).
      return (values ?? []).every((value) => !patterns.some((pattern) => arnLike(pattern, value)));
    default:
      throw new Error(`unknown condition operator ${operator}`);
  }
}

export function denies(policy: ServiceControlPolicy, request: ScpRequest): boolean {
  return policy.Statement.some((statement) => {
    if (statement.Effect !== "Deny" || statement.Action === undefined || statement.Resource !== "*")
      return false;
    const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
    if (!actions.some((action) => glob(action.toLowerCase(), request.action.toLowerCase()))) return false;
    return Object.entries(statement.Condition ?? {}).every(([operator, entries]) =>
      Object.entries(entries).every(([key, expected]) => conditionHolds(operator, key, expected, request)),
    );
  });
}
