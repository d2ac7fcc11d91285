import {
  type Pipeline,
  type PipelinePolicy,
  type PipelineResponse,
  type RetryStrategy,
  retryPolicy,
} from "@azure/core-rest-pipeline";

export const IF_MATCH_ON_WRITES_POLICY = "segsyncIfMatchOnWritesOnly";
export const RETRY_WITHOUT_RETRY_AFTER_POLICY = "segsyncRetryWithoutRetryAfter";

/**
 * The SDK's long-running operations send their polls and the final GET with the options of the
 * PUT, custom headers included: an If-Match meant for the PUT would make them conditional reads.
 */
export function ifMatchOnWritesPolicy(): PipelinePolicy {
  return {
    name: IF_MATCH_ON_WRITES_POLICY,
    sendRequest(request, next) {
      if (request.method === "GET" || request.method === "HEAD") request.headers.delete("If-Match");
      return next(request);
    },
  };
}

const RETRY_AFTER_HEADERS = ["retry-after", "retry-after-ms", "x-ms-retry-after-ms"];

function hasRetryAfter(response: PipelineResponse): boolean {
  return RETRY_AFTER_HEADERS.some((header) => response.headers.get(header) !== undefined);
}

export interface RetryWithoutRetryAfterOptions {
  readonly maxRetries: number;
  /** The first delay; doubled on every further retry, up to maxRetryDelayMs. */
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
}

/**
 * The SDK's default policy retries a 429 only when it names a Retry-After (then honouring it). The
 * network RP also answers 429 RetryableErrorDueToAnotherOperation while another write holds the
 * resource, and nothing promises that one carries Retry-After: such 429s are retried here with
 * exponential backoff. 429s with Retry-After are left to the SDK.
 */
export function retryWithoutRetryAfterPolicy(options: RetryWithoutRetryAfterOptions): PipelinePolicy {
  const strategy: RetryStrategy = {
    name: "retryWithoutRetryAfter",
    retry({ retryCount, response }) {
      if (response?.status !== 429 || hasRetryAfter(response)) return { skipStrategy: true };
      return { retryAfterInMs: Math.min(options.maxRetryDelayMs, options.retryDelayMs * 2 ** retryCount) };
    },
  };
  const policy = retryPolicy([strategy], { maxRetries: options.maxRetries });
  return { name: RETRY_WITHOUT_RETRY_AFTER_POLICY, sendRequest: policy.sendRequest };
}

/** segsync's policies, on the pipeline of each client. */
export function addSegsyncPolicies(pipeline: Pipeline, retry: RetryWithoutRetryAfterOptions): void {
  pipeline.addPolicy(ifMatchOnWritesPolicy());
  // In the Retry phase after the SDK's default retry policy, so it runs inside that one: the 429s it
  // gives up on, and those with Retry-After, still reach the SDK's policy.
  pipeline.addPolicy(retryWithoutRetryAfterPolicy(retry), { phase: "Retry" });
}
