import { gzipSync } from "node:zlib";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { LogObject } from "../../lib/flows/model.js";
import {
  CorruptGzipError,
  EmptyLocationError,
  LocationReadError,
  ObjectReadError,
} from "../../lib/flows/sources/errors.js";
import { type LogSourceOptions, logObjects } from "../../lib/flows/sources/index.js";
import { type MotoServer, skipWithoutMoto, startMotoServer } from "../support/moto-server.js";
import { AWS_RECORDS, collect, contents, namesAndTexts } from "./sources-support.js";

const BUCKET = "flow-logs-bucket";
const PREFIX = "AWSLogs/123456789012/vpcflowlogs/eu-west-1/2024/05/01/";
const CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };

describe.skipIf(skipWithoutMoto("the S3 flow log source tests"))("logObjects: s3://bucket/prefix", () => {
  let moto: MotoServer | undefined;
  let s3: S3Client;
  let options: LogSourceOptions;
  const keys: string[] = [];

  beforeAll(async () => {
    moto = await startMotoServer();
    const endpoint = moto.endpoint;
    s3 = new S3Client({ region: "eu-west-1", endpoint, forcePathStyle: true, credentials: CREDENTIALS });
    await s3.send(
      new CreateBucketCommand({
        Bucket: BUCKET,
        CreateBucketConfiguration: { LocationConstraint: "eu-west-1" },
      }),
    );
    // Seven objects under the prefix: read with three keys a page, they take three pages.
    for (let hour = 0; hour < 7; hour += 1) {
      const key = `${PREFIX}123456789012_vpcflowlogs_eu-west-1_fl-0a1b_20240501T0${hour}00Z_a1b2.log.gz`;
      keys.push(key);
      const body = hour % 2 === 0 ? gzipSync(`${AWS_RECORDS}\n# ${hour}`) : `${AWS_RECORDS}\n# ${hour}`;
      await put(key, body);
    }
    await put(`${PREFIX}folder/`, "");
    await put("AWSLogs/123456789012/vpcflowlogs/eu-west-1/2024/05/02/other.log.gz", gzipSync("other day"));
    await put(
      "corrupt/flows.log.gz",
      Buffer.concat([gzipSync(AWS_RECORDS).subarray(0, 12), Buffer.alloc(40, 7)]),
    );
    options = { s3: { endpoint, credentials: CREDENTIALS, maxAttempts: 1, pageSize: 3 }, env: {} };
  }, 30_000);
  afterAll(async () => {
    s3?.destroy();
    await moto?.stop();
  });

  async function put(key: string, body: string | Buffer): Promise<void> {
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentLength: Buffer.byteLength(body) }),
    );
  }

  it("lists the prefix across pages in key order, and reads each object plain or gunzipped", async () => {
    const send = vi.spyOn(S3Client.prototype, "send");
    try {
      const read = await namesAndTexts(logObjects(`s3://${BUCKET}/${PREFIX}`, options));
      expect(read).toEqual(keys.map((key, hour) => [`s3://${BUCKET}/${key}`, `${AWS_RECORDS}\n# ${hour}`]));
      const listings = send.mock.calls
        .map(([command]) => command)
        .filter((command) => command instanceof ListObjectsV2Command);
      expect(listings.map((command) => command.input.MaxKeys)).toEqual([3, 3, 3]);
    } finally {
      send.mockRestore();
    }
  });

  it("reads through the endpoint AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL names, path-style", async () => {
    const endpoint = moto?.endpoint as string;
    for (const variable of ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]) {
      const fromEnv: LogSourceOptions = {
        s3: { credentials: CREDENTIALS, maxAttempts: 1 },
        env: { AWS_REGION: "eu-west-1", [variable]: endpoint },
      };
      const read = await namesAndTexts(logObjects(`s3://${BUCKET}/${PREFIX}`, fromEnv));
      expect(read.map(([name]) => name)).toEqual(keys.map((key) => `s3://${BUCKET}/${key}`));
    }
  });

  it("reads a whole bucket, leaving folder markers out", async () => {
    const names = (await collect(logObjects(`s3://${BUCKET}`, options))).map((object) => object.name);
    expect(names).toHaveLength(keys.length + 2);
    expect(names).toContain(`s3://${BUCKET}/corrupt/flows.log.gz`);
    expect(names).not.toContain(`s3://${BUCKET}/${PREFIX}folder/`);
  });

  it("fails on a corrupt gzip object with an error naming it", async () => {
    const [object] = await collect(logObjects(`s3://${BUCKET}/corrupt/`, options));
    const error = await contents(object as LogObject).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CorruptGzipError);
    expect((error as Error).message).toContain(`reading s3://${BUCKET}/corrupt/flows.log.gz failed`);
  });

  it("a prefix with nothing under it is an error, not an empty read", async () => {
    await expect(collect(logObjects(`s3://${BUCKET}/AWSLogs/999`, options))).rejects.toThrow(
      new EmptyLocationError(`s3://${BUCKET}/AWSLogs/999`),
    );
  });

  it("a missing bucket is an error naming the location and S3's code", async () => {
    const error = await collect(logObjects("s3://no-such-bucket/x", options)).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(LocationReadError);
    expect((error as Error).message).toBe("reading s3://no-such-bucket/x failed: NoSuchBucket (HTTP 404)");
  });

  it("an object deleted between listing and opening fails opening, naming it", async () => {
    await put("gone/flows.log", AWS_RECORDS);
    const [object] = await collect(logObjects(`s3://${BUCKET}/gone/`, options));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "gone/flows.log" }));
    const error = await (object as LogObject).open().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ObjectReadError);
    expect((error as Error).message).toBe(
      `reading s3://${BUCKET}/gone/flows.log failed: NoSuchKey (HTTP 404)`,
    );
  });
});
