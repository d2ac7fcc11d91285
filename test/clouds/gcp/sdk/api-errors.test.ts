import { inspect } from "node:util";
import { beforeEach, describe, expect, it } from "vitest";
import {
  GcpAccessError,
  GcpAlreadyExistsError,
  GcpApiError,
  GcpConflictError,
  GcpInvalidRequestError,
  GcpNotFoundError,
  GcpQuotaExceededError,
  GcpThrottledError,
} from "../../../../lib/clouds/gcp/errors.js";
import { toGcpError } from "../../../../lib/clouds/gcp/sdk/errors.js";
import { backoffDelayMs, retryPolicy } from "../../../../lib/clouds/gcp/sdk/retry.js";
import {
  apiOver,
  done,
  type FakeClients,
  fakeClients,
  handle,
  httpError,
  NETWORK,
  running,
} from "./api-fakes.js";

let clients: FakeClients;
beforeEach(() => {
  clients = fakeClients();
});

const RULE = { name: "segsync-r", network: NETWORK, priority: 900, direction: "INGRESS" as const };

describe("retries", () => {
  it("retries 403 rateLimitExceeded and 429, then succeeds, with one requestId throughout", async () => {
    clients.firewalls.insert
      .mockRejectedValueOnce(httpError(403, "rateLimitExceeded"))
      .mockRejectedValueOnce(httpError(429, "rateLimitExceeded"))
      .mockResolvedValue(handle(running("op")));
    clients.globalOperations.wait
      .mockRejectedValueOnce(httpError(429, "RESOURCE_EXHAUSTED"))
      .mockResolvedValue([done("op")]);

    await apiOver(clients).insertFirewall(RULE);

    expect(clients.firewalls.insert).toHaveBeenCalledTimes(3);
    const requestIds = clients.firewalls.insert.mock.calls.map(([request]) => request.requestId);
    expect(new Set(requestIds).size).toBe(1);
    expect(clients.globalOperations.wait).toHaveBeenCalledTimes(2);
  });

  it("gives up after maxAttempts with GcpThrottledError, the last error as cause", async () => {
    const last = httpError(403, "rateLimitExceeded", "Rate Limit Exceeded");
    clients.firewalls.delete
      .mockRejectedValueOnce(httpError(429, "rateLimitExceeded"))
      .mockRejectedValueOnce(httpError(429, "rateLimitExceeded"))
      .mockRejectedValueOnce(last);

    const failure = await apiOver(clients, { maxAttempts: 3 })
      .deleteFirewall("segsync-r")
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(GcpThrottledError);
    expect(failure).toMatchObject({ code: "rateLimitExceeded", status: 403, cause: last });
    expect((failure as Error).message).toContain("after 3 attempts");
    expect(clients.firewalls.delete).toHaveBeenCalledTimes(3);
  });

  it("does not retry what is not throttling", async () => {
    clients.firewalls.insert.mockRejectedValue(httpError(403, "forbidden"));

    await expect(apiOver(clients).insertFirewall(RULE)).rejects.toBeInstanceOf(GcpAccessError);
    expect(clients.firewalls.insert).toHaveBeenCalledTimes(1);
  });

  it("backs off with full jitter: doubling ceilings, capped", () => {
    const top = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1_000 }, () => 0.999_999);
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, top))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    const bottom = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1_000 }, () => 0);
    expect(backoffDelayMs(4, bottom)).toBe(0);
    expect(retryPolicy()).toMatchObject({ maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 32_000 });
  });
});

describe("error mapping", () => {
  const cases = [
    { status: 400, reason: "invalid", type: GcpInvalidRequestError },
    { status: 400, reason: "limitExceeded", type: GcpQuotaExceededError },
    { status: 401, reason: "authError", type: GcpAccessError },
    { status: 403, reason: "forbidden", type: GcpAccessError },
    { status: 403, reason: "quotaExceeded", type: GcpQuotaExceededError },
    { status: 403, reason: "rateLimitExceeded", type: GcpThrottledError },
    { status: 404, reason: "notFound", type: GcpNotFoundError },
    { status: 409, reason: "alreadyExists", type: GcpAlreadyExistsError },
    { status: 412, reason: "conditionNotMet", type: GcpConflictError },
    { status: 429, reason: "rateLimitExceeded", type: GcpThrottledError },
    { status: 500, reason: "backendError", type: GcpApiError },
  ];

  it.each(cases)("$status $reason → $type.name", ({ status, reason, type }) => {
    const original = httpError(status, reason, "what Compute said");

    const mapped = toGcpError(original, "firewalls.insert r");

    expect(mapped).toBeInstanceOf(type);
    expect(mapped.constructor).toBe(type);
    expect(mapped).toMatchObject({ code: reason, status, cause: original, name: type.name });
    expect(mapped.message).toBe(`firewalls.insert r failed: ${reason}: what Compute said`);
  });

  it("reads the AIP-193 status and ErrorInfo reason when `errors` is absent", () => {
    const body = {
      error: {
        code: 429,
        message: "Quota exceeded for quota metric 'Queries'",
        status: "RESOURCE_EXHAUSTED",
        details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "RATE_LIMIT_EXCEEDED" }],
      },
    };
    const original = Object.assign(new Error(JSON.stringify(body)), { status: 429, code: 429 });

    expect(toGcpError(original, "op")).toMatchObject({ code: "RATE_LIMIT_EXCEEDED", status: 429 });
  });

  it("maps a failure without a response (connection refused) to GcpApiError with status 0", () => {
    const refused = Object.assign(new Error("request to http://127.0.0.1:9/x failed"), {
      code: "ECONNREFUSED",
    });

    const mapped = toGcpError(refused, "firewalls.list");

    expect(mapped.constructor).toBe(GcpApiError);
    expect(mapped).toMatchObject({ code: "ECONNREFUSED", status: 0, cause: refused });
  });

  it("keeps bearer tokens out of messages", () => {
    const leaky = httpError(401, "authError", "token Bearer ya29.a0secret-token rejected; also ya29.other");

    const mapped = toGcpError(leaky, "instances.get");

    expect(mapped.message).not.toContain("ya29");
    expect(mapped.message).toContain("Bearer <redacted>");
  });

  it("maps through the api with the original as cause", async () => {
    const original = httpError(400, "invalid", "Invalid value for field 'resource.priority'");
    clients.firewalls.update.mockRejectedValue(original);

    const failure = await apiOver(clients)
      .patchFirewall(RULE)
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(GcpInvalidRequestError);
    expect(failure).toMatchObject({ status: 400, code: "invalid", cause: original });
    expect(inspect(failure)).toContain("firewalls.update segsync-r failed");
  });
});
