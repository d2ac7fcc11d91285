/**
 * Log objects under an S3 prefix, as VPC Flow Logs deliver them
 * (`AWSLogs/<account>/vpcflowlogs/<region>/<yyyy>/<mm>/<dd>/…log.gz`): ListObjectsV2 page by
 * page, in S3's key order, each object fetched with GetObject only when it is opened, its body
 * streamed. Calls retry with the SDK's own strategy (standard, `maxAttempts`).
 */

import { Readable } from "node:stream";
import { GetObjectCommand, paginateListObjectsV2, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import type { LogObject } from "../model.js";
import { messageOf, ObjectReadError } from "./errors.js";
import { listedPages } from "./pages.js";
import { plainText } from "./plain-text.js";

export interface S3SourceOptions {
  /** Absent: AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1; a bucket elsewhere is followed. */
  readonly region?: string;
  /**
   * S3 at this URL (an emulator such as moto_server, an interface endpoint), addressed path-style.
   * Absent: AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else S3's own.
   */
  readonly endpoint?: string;
  /** Absent: the SDK's default chain (environment, profile, SSO, instance or task role). */
  readonly credentials?: S3ClientConfig["credentials"];
  /** Attempts per call, first included (the SDK's default: 3). */
  readonly maxAttempts?: number;
  /** Keys per ListObjectsV2 page (MaxKeys; S3's default and most: 1000). */
  readonly pageSize?: number;
}

export async function* s3Objects(
  bucket: string,
  prefix: string,
  options: S3SourceOptions,
  env: Readonly<Record<string, string | undefined>>,
): AsyncGenerator<LogObject> {
  const location = `s3://${bucket}/${prefix}`;
  // Not destroyed when the listing ends: the objects open through it later. Its idle sockets do
  // not keep the process alive.
  const client = s3Client(options, env);
  const pages = paginateListObjectsV2(
    { client, ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }) },
    { Bucket: bucket, Prefix: prefix },
  );
  for await (const page of listedPages(location, pages, s3Reason)) {
    for (const { Key: key, Size: size } of page.Contents ?? []) {
      // Empty objects hold no records; among them the console's folder markers ("…/").
      if (key === undefined || key.endsWith("/") || size === 0) continue;
      yield s3Object(client, bucket, key);
    }
  }
}

function s3Object(client: S3Client, bucket: string, key: string): LogObject {
  const name = `s3://${bucket}/${key}`;
  return {
    name,
    async open() {
      let body: unknown;
      try {
        ({ Body: body } = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
      } catch (error) {
        throw new ObjectReadError(name, s3Reason(error), { cause: error });
      }
      if (!(body instanceof Readable)) throw new ObjectReadError(name, "S3 answered without a body stream");
      return plainText(name, body);
    },
  };
}

/**
 * The S3 endpoint to read from: the option, else the SDK's own variables for a configured
 * endpoint (`AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`, unless
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true), read here so that the endpoint is addressed
 * path-style, which S3 interface endpoints and emulators both take (docs/flows-sources.md).
 */
export function s3Endpoint(
  options: S3SourceOptions,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (options.endpoint !== undefined) return options.endpoint;
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === "true") return undefined;
  const configured = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  return configured === undefined || configured === "" ? undefined : configured;
}

function s3Client(options: S3SourceOptions, env: Readonly<Record<string, string | undefined>>): S3Client {
  const endpoint = s3Endpoint(options, env);
  return new S3Client({
    region: options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    // Flow log buckets live in any region: the SDK retries a call in the bucket's own.
    followRegionRedirects: true,
    ...(endpoint === undefined ? {} : { endpoint, forcePathStyle: true }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  });
}

/**
 * The S3 error code and HTTP status, without S3's message: an access error's can quote the signed
 * request (docs/flows-sources.md, "Credentials").
 */
function s3Reason(error: unknown): string {
  if (typeof error !== "object" || error === null) return String(error);
  const { name, $metadata } = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const status = $metadata?.httpStatusCode;
  const code = typeof name === "string" && name !== "" ? name : "Error";
  // No answer from S3 (no connection, no credentials): the message says what, and holds no secret.
  return typeof status === "number" ? `${code} (HTTP ${status})` : `${code}: ${messageOf(error)}`;
}
