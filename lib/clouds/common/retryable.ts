/**
 * How a cloud's API error says whether retrying it can help (lib/reconcile/retryable.ts): each
 * cloud's API error classes (lib/clouds/<cloud>/errors.ts) carry a `retryable` flag, so that the
 * reconciler classifies a failure without knowing any single cloud.
 */

/**
 * The code the SDK adapters give an answer they cannot model (sdk/shapes.ts): the same response
 * comes back on a retry.
 */
export const MALFORMED_RESPONSE = "MalformedResponse";

/** An error's own word on retrying, when it gives one (a cloud's API error); undefined otherwise. */
export function retryableFlag(error: unknown): boolean | undefined {
  if (!(error instanceof Error) || !("retryable" in error)) return undefined;
  return typeof error.retryable === "boolean" ? error.retryable : undefined;
}
