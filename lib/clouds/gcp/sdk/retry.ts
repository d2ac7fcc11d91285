import { setTimeout as sleep } from "node:timers/promises";
import { GcpThrottledError } from "../errors.js";
import { computeErrorInfo, isThrottled, toGcpError } from "./errors.js";

/**
 * Backoff for throttled calls (403 rateLimitExceeded, 429). Compute refills its per-minute rate
 * quotas at the next minute boundary (docs/clouds.md, "GCP Compute operations and rate limits"), so
 * the delays grow to tens of seconds.
 */
export interface GcpRetryOptions {
  /** Attempts per call, the first included. Default 6. */
  readonly maxAttempts?: number;
  /** The cap of the first delay; each later one doubles it. Default 1000 ms. */
  readonly baseDelayMs?: number;
  /** No delay exceeds this. Default 32000 ms. */
  readonly maxDelayMs?: number;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** [0, 1): the jitter's source (Math.random; fixed in tests). */
  readonly random: () => number;
}

export function retryPolicy(options: GcpRetryOptions = {}, random: () => number = Math.random): RetryPolicy {
  return {
    maxAttempts: Math.max(1, options.maxAttempts ?? 6),
    baseDelayMs: Math.max(0, options.baseDelayMs ?? 1_000),
    maxDelayMs: Math.max(0, options.maxDelayMs ?? 32_000),
    random,
  };
}

/**
 * "Full jitter": uniform in [0, min(max, base · 2^(attempt-1))), so that many callers throttled
 * together do not come back together. `attempt` is the one that failed, from 1.
 */
export function backoffDelayMs(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(policy.random() * ceiling);
}

/**
 * Runs `call`, again after a backoff while it is throttled, and maps what it finally throws to
 * errors.ts. Only throttling is retried: Compute rejected those requests without acting on them,
 * so even a mutation is safe to resend (and carries the same requestId anyway).
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  operation: string,
  call: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const info = computeErrorInfo(error);
      if (!isThrottled(info)) throw toGcpError(error, operation);
      if (attempt >= policy.maxAttempts) {
        throw new GcpThrottledError(
          `${operation} still throttled after ${attempt} attempts: ${info.reasons[0] ?? info.status}: ${info.message}`,
          info.reasons[0] ?? `http${info.status}`,
          info.status,
          { cause: error },
        );
      }
      await sleep(backoffDelayMs(attempt, policy));
    }
  }
}
