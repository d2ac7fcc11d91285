import { vi } from "vitest";
import { SdkGcpApi, sdkGcpSettings } from "../../../../lib/clouds/gcp/sdk/api.js";
import type { ComputeClients, SdkOperation } from "../../../../lib/clouds/gcp/sdk/clients.js";

export const PROJECT = "proj-1";
export const COMPUTE = "https://www.googleapis.com/compute/v1";
export const NETWORK = `${COMPUTE}/projects/${PROJECT}/global/networks/vpc-a`;

type Instances = ComputeClients["instances"];
type Firewalls = ComputeClients["firewalls"];

/** Typed fakes of the clients; each method a vi.fn with no behaviour until a test gives one. */
export function fakeClients() {
  return {
    instances: {
      aggregatedListAsync: vi.fn<Instances["aggregatedListAsync"]>(),
      get: vi.fn<Instances["get"]>(),
      setTags: vi.fn<Instances["setTags"]>(),
    },
    firewalls: {
      listAsync: vi.fn<Firewalls["listAsync"]>(),
      insert: vi.fn<Firewalls["insert"]>(),
      update: vi.fn<Firewalls["update"]>(),
      delete: vi.fn<Firewalls["delete"]>(),
    },
    subnetworks: { aggregatedListAsync: vi.fn<ComputeClients["subnetworks"]["aggregatedListAsync"]>() },
    projects: {
      get: vi.fn<ComputeClients["projects"]["get"]>(),
      getXpnResourcesAsync: vi.fn<ComputeClients["projects"]["getXpnResourcesAsync"]>(),
      getXpnHost: vi.fn<ComputeClients["projects"]["getXpnHost"]>(),
    },
    zoneOperations: { wait: vi.fn<ComputeClients["zoneOperations"]["wait"]>() },
    globalOperations: { wait: vi.fn<ComputeClients["globalOperations"]["wait"]>() },
  } satisfies ComputeClients;
}

export type FakeClients = ReturnType<typeof fakeClients>;

/** An SdkGcpApi over the fakes, with delays of a millisecond. */
export function apiOver(clients: ComputeClients, options: { maxAttempts?: number; timeoutMs?: number } = {}) {
  const settings = sdkGcpSettings({
    retry: { maxAttempts: options.maxAttempts ?? 4, baseDelayMs: 1, maxDelayMs: 2 },
    operations: { pollIntervalMs: 1, timeoutMs: options.timeoutMs ?? 5_000 },
  });
  return new SdkGcpApi(PROJECT, async () => clients, settings);
}

/**
 * A paged listing as gax's async iterator behaves: one request per page, and a request that
 * throws leaves the iterator where it was, so that the next `next()` asks for the same page.
 * `script` is what successive page requests get: a page of items, or an error (used once).
 */
export function pagedListing<T>(script: readonly (readonly T[] | Error)[]): {
  iterable: AsyncIterable<T>;
  requests: () => number;
} {
  let requests = 0;
  const remaining = [...script];
  const iterable: AsyncIterable<T> = {
    [Symbol.asyncIterator]() {
      const cache: T[] = [];
      return {
        async next(): Promise<IteratorResult<T>> {
          while (cache.length === 0 && remaining.length > 0) {
            requests += 1;
            const entry = remaining.shift() as readonly T[] | Error;
            if (entry instanceof Error) throw entry;
            cache.push(...entry);
          }
          const value = cache.shift();
          return value === undefined ? { done: true, value: undefined } : { done: false, value };
        },
      };
    },
  };
  return { iterable, requests: () => requests };
}

/** The SDK's first answer to a mutation: gax's handle around the Compute Operation. */
export function handle(operation: SdkOperation): [{ latestResponse: SdkOperation }] {
  return [{ latestResponse: operation }];
}

export function running(name: string, extra: Partial<SdkOperation> = {}): SdkOperation {
  return { name, status: "RUNNING", ...extra };
}

export function done(name: string, extra: Partial<SdkOperation> = {}): SdkOperation {
  return { name, status: "DONE", ...extra };
}

/**
 * An error as the REST transport throws it (GaxiosError): the status in `status` and `code`,
 * the response body as the message (sdk/api.http.test.ts checks this against the real SDK).
 */
export function httpError(status: number, reason: string, message = `${reason} (test)`): Error {
  const body = { error: { code: status, message, errors: [{ message, domain: "global", reason }] } };
  return Object.assign(new Error(JSON.stringify(body)), { name: "GaxiosError", status, code: status });
}
