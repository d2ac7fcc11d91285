/** What the handler tests share: Function URL events, captured logs and EMF metrics, a recording queue. */

import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { LambdaFunctionURLEvent } from "aws-lambda";
import { vi } from "vitest";
import { type EventQueue, SqsEventQueue } from "../../lib/ingest/event-queue.js";
import type { QueueMessage } from "../../lib/ingest/queue-message.js";

export const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/segsync.fifo";

export interface RequestOptions {
  readonly body?: string;
  readonly headers?: Record<string, string>;
  readonly rawQueryString?: string;
  readonly method?: string;
  readonly base64?: boolean;
}

/** A Function URL request (payload format 2.0) as Lambda delivers it: header names lowercased. */
export function functionUrlEvent(options: RequestOptions = {}): LambdaFunctionURLEvent {
  const method = options.method ?? "POST";
  const headers = Object.fromEntries(
    Object.entries({ "content-type": "application/json", ...options.headers }).map(([name, value]) => [
      name.toLowerCase(),
      value,
    ]),
  );
  const body = options.body ?? "";
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: "/",
    rawQueryString: options.rawQueryString ?? "",
    headers,
    requestContext: {
      accountId: "anonymous",
      apiId: "abcdefgh",
      domainName: "abcdefgh.lambda-url.us-east-1.on.aws",
      domainPrefix: "abcdefgh",
      http: { method, path: "/", protocol: "HTTP/1.1", sourceIp: "203.0.113.9", userAgent: "test" },
      requestId: "request-1",
      routeKey: "$default",
      stage: "$default",
      time: "25/Jun/2026:05:00:00 +0000",
      timeEpoch: 1782363600000,
    },
    body: options.base64 === true ? Buffer.from(body).toString("base64") : body,
    isBase64Encoded: options.base64 === true,
  };
}

export interface EmfRecord {
  readonly _aws: {
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
  };
  readonly [key: string]: unknown;
}

export interface Captured {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Everything printed: logs and metrics. */
  text(): string;
  emf(): EmfRecord[];
  /** The sum of a metric over every EMF record, optionally only those with this reason. */
  metric(name: string, reason?: string): number;
}

/**
 * A Powertools Logger and Metrics printing to a captured console (POWERTOOLS_DEV sends both to
 * the global console; metrics stay enabled). Call vi.restoreAllMocks and vi.unstubAllEnvs after.
 */
export function captureTelemetry(serviceName: string): Captured {
  vi.stubEnv("POWERTOOLS_DEV", "true");
  vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "false");
  const lines: string[] = [];
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
    });
  }
  const logger = new Logger({ serviceName, logLevel: "DEBUG" });
  const metrics = new Metrics({ namespace: "segsync", serviceName });
  const emf = () =>
    lines.flatMap((line) => {
      if (!line.includes('"_aws"')) return [];
      return [JSON.parse(line) as EmfRecord];
    });
  return {
    logger,
    metrics,
    text: () => lines.join("\n"),
    emf,
    metric: (name, reason) =>
      emf()
        .filter((record) => reason === undefined || record.reason === reason)
        .reduce((sum, record) => sum + (typeof record[name] === "number" ? (record[name] as number) : 0), 0),
  };
}

/** A fake EventQueue that records what it is given and hands it on to `inner` (an SQS queue over a mocked client). */
export function recordingQueue(inner: EventQueue): EventQueue & { readonly sent: QueueMessage[] } {
  const sent: QueueMessage[] = [];
  return {
    sent,
    async send(messages) {
      sent.push(...messages);
      await inner.send(messages);
    },
  };
}

export function sqsQueue(): SqsEventQueue {
  return new SqsEventQueue(new SQSClient({ region: "us-east-1" }), QUEUE_URL);
}
