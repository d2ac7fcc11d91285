import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * A local HTTP server that answers EC2 Query API requests (form-encoded POSTs naming an Action)
 * with recorded XML bodies, so that the real @aws-sdk/client-ec2 parses what EC2 really returns.
 * It does not interpret filters: each Action gets its route's reply, which a test may choose by
 * the request's parameters.
 */
export interface Ec2Reply {
  readonly status: number;
  readonly body: string;
}

/** One Action's answer: fixed, or chosen from the request's parameters. */
export type Ec2Route = Ec2Reply | ((params: URLSearchParams) => Ec2Reply);

export interface Ec2Replay {
  readonly endpoint: string;
  /** The parameters of every request, in arrival order. */
  readonly requests: URLSearchParams[];
  stop(): Promise<void>;
}

/** test/fixtures/aws, where the recorded samples live (their sources: SOURCES.md there). */
export const AWS_FIXTURES = resolve(fileURLToPath(import.meta.url), "../../fixtures/aws");

/** A recorded sample under test/fixtures/aws, as text. */
export function awsFixture(path: string): string {
  return readFileSync(resolve(AWS_FIXTURES, path), "utf8");
}

/** A 200 answer with the recorded body at `path` (under test/fixtures/aws/ec2). */
export function recorded(path: string): Ec2Reply {
  return { status: 200, body: awsFixture(`ec2/${path}`) };
}

/** A recorded error body; its status is in its name (error-<status>-…). */
export function recordedError(path: string): Ec2Reply {
  const status = Number(/^error-(\d{3})-/.exec(path)?.[1]);
  if (!Number.isInteger(status)) throw new Error(`${path} does not name its status (error-<status>-…)`);
  return { status, body: awsFixture(`ec2/${path}`) };
}

export async function startEc2Replay(routes: Readonly<Record<string, Ec2Route>>): Promise<Ec2Replay> {
  const requests: URLSearchParams[] = [];
  const server = createServer((request, response) => {
    void readForm(request).then((params) => {
      requests.push(params);
      const action = params.get("Action") ?? "";
      const route = routes[action];
      const reply =
        route === undefined ? unknownAction(action) : typeof route === "function" ? route(params) : route;
      response.writeHead(reply.status, { "content-type": "text/xml;charset=UTF-8" });
      response.end(reply.body);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((done, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : done()));
      }),
  };
}

/** What EC2 answers an Action it does not know (the documented error envelope). */
function unknownAction(action: string): Ec2Reply {
  return {
    status: 400,
    body: `<Response><Errors><Error><Code>InvalidAction</Code><Message>The action ${action} is not valid for this web service.</Message></Error></Errors><RequestID>replay</RequestID></Response>`,
  };
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}
