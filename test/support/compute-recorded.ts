import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local HTTP server that answers Compute REST requests with recorded bodies (test/fixtures/gcp),
 * for driving the real @google-cloud/compute clients over plain http. Unlike compute-fake.ts it
 * keeps no state: each route answers what it was given, so a body reaches the SDK as Compute sent it.
 *
 * Routes are keyed `METHOD /compute/v1/…`, plus `?pageToken=<token>` for a page after the first.
 * A route given several replies answers them in turn and then repeats the last one. Anything
 * else answers 501, so that a request the test did not expect fails it.
 */
export interface RecordedReply {
  readonly status?: number;
  readonly body: unknown;
}

export type RecordedRoutes = Readonly<Record<string, RecordedReply | readonly RecordedReply[]>>;

export interface RecordedCompute {
  readonly port: number;
  /** `METHOD path[?pageToken=…]` of every request, in order. */
  readonly requests: string[];
  stop(): Promise<void>;
}

export async function startRecordedCompute(routes: RecordedRoutes): Promise<RecordedCompute> {
  const requests: string[] = [];
  const served = new Map<string, number>();

  function reply(key: string): RecordedReply {
    const route = routes[key];
    if (route === undefined) {
      return { status: 501, body: { error: { code: 501, message: `no recorded reply for ${key}` } } };
    }
    if (!Array.isArray(route)) return route as RecordedReply;
    const count = served.get(key) ?? 0;
    served.set(key, count + 1);
    return route[Math.min(count, route.length - 1)] as RecordedReply;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // What the client sends is not looked at: each route has its recorded answer.
    await new Promise((resolve) => request.resume().on("end", resolve));
    const url = new URL(request.url ?? "/", "http://recorded");
    const pageToken = url.searchParams.get("pageToken");
    const key = `${request.method ?? "GET"} ${url.pathname}${pageToken ? `?pageToken=${pageToken}` : ""}`;
    requests.push(key);
    const { status = 200, body } = reply(key);
    response.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
    response.end(JSON.stringify(body));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { "content-type": "application/json; charset=UTF-8" });
      response.end(JSON.stringify({ error: { code: 500, message: String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    requests,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
