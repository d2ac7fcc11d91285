import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CorruptGzipError,
  EmptyLocationError,
  InvalidLocationError,
  LocationReadError,
  ObjectReadError,
} from "../../lib/flows/sources/errors.js";
import { logObjects, parseLocation } from "../../lib/flows/sources/index.js";
import { withoutSecrets } from "../../lib/flows/sources/location.js";
import { plainText } from "../../lib/flows/sources/plain-text.js";
import { s3Endpoint } from "../../lib/flows/sources/s3.js";
import { AWS_RECORDS, collect, contents, namesAndTexts } from "./sources-support.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "segsync-sources-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function write(path: string, data: string | Buffer): string {
  const full = join(root, path);
  mkdirSync(join(full, ".."), { recursive: true });
  writeFileSync(full, data);
  return full;
}

describe("logObjects: a file", () => {
  it("is one object named by its path, read as it is", async () => {
    const path = write("flows.log", AWS_RECORDS);
    expect(await namesAndTexts(logObjects(path))).toEqual([[path, AWS_RECORDS]]);
  });

  it("undoes gzip recognised by its bytes, whatever the name says", async () => {
    const gzipped = write("renamed.log", gzipSync(AWS_RECORDS));
    const plain = write("plain.log.gz", AWS_RECORDS);
    expect(await contents((await collect(logObjects(gzipped)))[0] as never)).toBe(AWS_RECORDS);
    expect(await contents((await collect(logObjects(plain)))[0] as never)).toBe(AWS_RECORDS);
  });

  it("reads concatenated gzip members (cat a.gz b.gz) as one text", async () => {
    const path = write("joined.gz", Buffer.concat([gzipSync("first\n"), gzipSync("second\n")]));
    expect(await namesAndTexts(logObjects(path))).toEqual([[path, "first\nsecond\n"]]);
  });

  it("streams a large gzip object through to its end", async () => {
    const line = AWS_RECORDS.split("\n")[1];
    const big = `${Array.from({ length: 50_000 }, () => line).join("\n")}\n`;
    const path = write("big.log.gz", gzipSync(big));
    const read = await contents((await collect(logObjects(path)))[0] as never);
    expect(read.length).toBe(big.length);
    expect(read).toBe(big);
  });

  it("reads an empty file and a one-byte file, too short for the gzip magic", async () => {
    const empty = write("empty.log", "");
    const one = write("one.log", "\x1f");
    expect(await namesAndTexts(logObjects(empty))).toEqual([[empty, ""]]);
    expect(await namesAndTexts(logObjects(one))).toEqual([[one, "\x1f"]]);
  });

  it("a missing path is an error naming it", async () => {
    const missing = join(root, "absent.log");
    const error = await collect(logObjects(missing)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LocationReadError);
    expect((error as Error).message).toContain(missing);
  });

  it("reads a file:// URL as its path", async () => {
    const path = write("flows.log", AWS_RECORDS);
    expect(await namesAndTexts(logObjects(pathToFileURL(path).href))).toEqual([[path, AWS_RECORDS]]);
  });
});

describe("logObjects: a folder", () => {
  it("lists every file below it, depth first in name order, leaving hidden entries out", async () => {
    write("b/2.log", "b2");
    write("b/10.log", "b10");
    write("a.log", "a");
    write("c/d/e.log", "cde");
    write(".hidden.log", "no");
    write(".git/objects/x", "no");
    write("c/.partial", "no");
    const read = await namesAndTexts(logObjects(root));
    expect(read).toEqual([
      [join(root, "a.log"), "a"],
      [join(root, "b/10.log"), "b10"],
      [join(root, "b/2.log"), "b2"],
      [join(root, "c/d/e.log"), "cde"],
    ]);
  });

  it("follows a link to a file but not a link to a folder", async () => {
    const outside = mkdtempSync(join(tmpdir(), "segsync-sources-outside-"));
    try {
      writeFileSync(join(outside, "linked.log"), "linked");
      write("logs/own.log", "own");
      symlinkSync(join(outside, "linked.log"), join(root, "logs", "file-link.log"));
      symlinkSync(outside, join(root, "logs", "folder-link"));
      expect(await namesAndTexts(logObjects(join(root, "logs")))).toEqual([
        [join(root, "logs/file-link.log"), "linked"],
        [join(root, "logs/own.log"), "own"],
      ]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("a file removed between listing and opening fails opening, naming it", async () => {
    const gone = write("gone.log", "x");
    const [object] = await collect(logObjects(root));
    rmSync(gone);
    const error = await object?.open().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ObjectReadError);
    expect((error as Error).message).toMatch(new RegExp(`^reading ${gone} failed: ENOENT`));
  });

  it("a folder without a log file is an error, not an empty read", async () => {
    write(".only-hidden", "x");
    await expect(collect(logObjects(root))).rejects.toThrow(EmptyLocationError);
    await expect(collect(logObjects(root))).rejects.toThrow(`${root} holds no flow log objects`);
  });
});

describe("a corrupt gzip object", () => {
  it("fails reading with an error naming it, and the other objects still read", async () => {
    const good = gzipSync(AWS_RECORDS);
    const corrupt = write("1-corrupt.log.gz", Buffer.concat([good.subarray(0, 10), Buffer.alloc(64, 0x41)]));
    const truncated = write("2-truncated.log.gz", good.subarray(0, good.length - 12));
    write("3-good.log.gz", good);
    const objects = await collect(logObjects(root));
    expect(objects.map((object) => object.name)).toEqual([corrupt, truncated, join(root, "3-good.log.gz")]);
    for (const [object, name] of [
      [objects[0], corrupt],
      [objects[1], truncated],
    ] as const) {
      const error = await contents(object as never).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CorruptGzipError);
      expect((error as CorruptGzipError).object).toBe(name);
      expect((error as Error).message).toContain(
        `reading ${name} failed: it is gzip but does not decompress`,
      );
    }
    expect(await contents(objects[2] as never)).toBe(AWS_RECORDS);
  });
});

describe("plainText", () => {
  it("names the object when its source fails midway", async () => {
    let reads = 0;
    const source = new Readable({
      read() {
        reads += 1;
        if (reads === 1) this.push("first chunk\n");
        else this.destroy(new Error("connection reset"));
      },
    });
    const stream = await plainText("s3://bucket/key", source);
    const error = await text(stream).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ObjectReadError);
    expect((error as Error).message).toBe("reading s3://bucket/key failed: connection reset");
  });

  it("rejects opening when the source fails before its first bytes", async () => {
    const source = new Readable({
      read() {
        this.destroy(new Error("access denied"));
      },
    });
    await expect(plainText("blob", source)).rejects.toThrow("reading blob failed: access denied");
  });

  it("releases the source when the reader stops early", async () => {
    const source = Readable.from(
      (function* () {
        for (;;) yield Buffer.from("line\n");
      })(),
    );
    const stream = await plainText("endless", source);
    for await (const _chunk of stream) break;
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.destroyed).toBe(true);
  });
});

describe("an Azure Blob location with a connection string that is not one", () => {
  it("is an error naming the variable and what is wrong, quoting none of it", async () => {
    const secret = "c2VjcmV0LWtleQ==";
    const env = {
      AZURE_STORAGE_CONNECTION_STRING: `DefaultEndpointsProtocol=ftp;AccountName=acct;AccountKey=${secret}`,
    };
    const error = await collect(logObjects("https://acct.blob.core.windows.net/logs/", { env })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(LocationReadError);
    expect((error as Error).message).toBe(
      "reading https://acct.blob.core.windows.net/logs/ failed: AZURE_STORAGE_CONNECTION_STRING is not a storage " +
        "connection string: Invalid DefaultEndpointsProtocol in the provided Connection String. Expecting 'https' or 'http'",
    );
    expect((error as Error).message).not.toContain(secret);
  });
});

describe("locations", () => {
  const invalid: [string, string][] = [
    ["", "it is empty"],
    ["   ", "it is empty"],
    ["logs/\u0000x", "control character"],
    ["s3://", "names no bucket"],
    ["s3:///prefix", "names no bucket"],
    ["s3://bad bucket/x", "is not an S3 bucket name"],
    ["s3://-bucket/x", "is not an S3 bucket name"],
    ["s3://ab/x", "is not an S3 bucket name"],
    ["s3://my..bucket/x", "is not an S3 bucket name"],
    [`s3://bucket/${"k".repeat(1025)}`, "over 1024 bytes"],
    ["gs://bucket/logs", "gcloud storage cp"],
    ["az://container/logs", "az:// names no storage account"],
    ["abfss://c@acct.dfs.core.windows.net/x", "blob endpoint"],
    ["ftp://host/x", "not ftp://"],
    ["https://example.com/logs", "must be an Azure Blob Storage URL"],
    ["https://acct.dfs.core.windows.net/c/x", "must be an Azure Blob Storage URL"],
    ["http://acct.blob.core.windows.net/c/x", "over https only"],
    ["https://a-b.blob.core.windows.net/c/x", "is not a storage account name"],
    ["https://acct.blob.core.windows.net", "names no container"],
    ["https://acct.blob.core.windows.net/", "names no container"],
    ["https://acct.blob.core.windows.net/Logs/x", "is not a container name"],
    ["https://acct.blob.core.windows.net/a--b/x", "is not a container name"],
    ["https://acct.blob.core.windows.net/c1/x?sv=2024&sig=secret", "query or fragment"],
    ["https://user:pw@acct.blob.core.windows.net/c1/x", "user name or password"],
    ["https://acct.blob.core.windows.net:444/c1/x", "names a port"],
    ["https://acct.blob.core.windows.net/c1/%E0%A4%A", "malformed percent-escape"],
  ];
  it.each(invalid)("refuses %j before any I/O: %s", (location, reason) => {
    let caught: unknown;
    try {
      logObjects(location);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidLocationError);
    expect((caught as Error).message).toContain(
      `flow log location ${JSON.stringify(withoutSecrets(location))}: `,
    );
    expect((caught as Error).message).toContain(reason);
  });

  it("never repeats a SAS token or a password in the refusal", () => {
    expect(() => logObjects("https://acct.blob.core.windows.net/c1/x?sv=1&sig=abc#frag")).toThrow(
      'flow log location "https://acct.blob.core.windows.net/c1/x?<redacted>": it has a query or fragment',
    );
    expect(() => logObjects("https://user:pw@acct.blob.core.windows.net/c1/x")).toThrow(
      'flow log location "https://user:<redacted>@acct.blob.core.windows.net/c1/x": it holds a user name',
    );
  });

  it("accepts each form", () => {
    expect(parseLocation("logs/2024")).toEqual({ kind: "path", path: "logs/2024" });
    expect(parseLocation("s3://flow-logs.example")).toEqual({
      kind: "s3",
      bucket: "flow-logs.example",
      prefix: "",
    });
    expect(parseLocation("s3://flow-logs/AWSLogs/123456789012/")).toEqual({
      kind: "s3",
      bucket: "flow-logs",
      prefix: "AWSLogs/123456789012/",
    });
    expect(
      parseLocation(
        "https://flowlogs01.blob.core.usgovcloudapi.net/insights-logs-flowlogflowevent/flowLogResourceID=%2FSUB",
      ),
    ).toEqual({
      kind: "azure-blob",
      account: "flowlogs01",
      origin: "https://flowlogs01.blob.core.usgovcloudapi.net",
      container: "insights-logs-flowlogflowevent",
      prefix: "flowLogResourceID=/SUB",
    });
  });
});

describe("the S3 endpoint flow logs are read from", () => {
  const options = { endpoint: "http://127.0.0.1:5000" };
  it("is the option, else AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else S3's own", () => {
    const env = { AWS_ENDPOINT_URL_S3: "https://s3-vpce.example", AWS_ENDPOINT_URL: "https://all.example" };
    expect(s3Endpoint(options, env)).toBe("http://127.0.0.1:5000");
    expect(s3Endpoint({}, env)).toBe("https://s3-vpce.example");
    expect(s3Endpoint({}, { AWS_ENDPOINT_URL: "https://all.example" })).toBe("https://all.example");
    expect(s3Endpoint({}, { AWS_ENDPOINT_URL_S3: "" })).toBeUndefined();
    expect(s3Endpoint({}, {})).toBeUndefined();
  });

  it("leaves the configured variables alone where AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true", () => {
    const env = {
      AWS_ENDPOINT_URL_S3: "https://s3-vpce.example",
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "True",
    };
    expect(s3Endpoint({}, env)).toBeUndefined();
    expect(s3Endpoint(options, env)).toBe("http://127.0.0.1:5000");
  });
});
