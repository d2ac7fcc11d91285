/** parseFlowLog: the format told from the first bytes, gzip undone, and what the caller did wrong. */
import { Readable } from "node:stream";
import { expect, describe as group, it } from "vitest";
import { FlowLogFormatError, FlowLogReadError } from "../../lib/flows/errors.js";
import type { FlowLogFormat } from "../../lib/flows/model.js";
import { detectFormat, parseFlowLog } from "../../lib/flows/parsers/index.js";
import { describe, fixture, gzippedFixture, parseAll, textObject } from "./support.js";

group("detectFormat", () => {
  it("tells each cloud's format from the text's start", () => {
    const cases: [string, FlowLogFormat | undefined][] = [
      ["2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK", "aws"],
      ["version srcaddr dstaddr", "aws"],
      ['\uFEFF  {\n  "records": [', "azure"],
      ['{"insertId":"x","jsonPayload":{"records": 1}}', "gcp"],
      ['{"jsonPayload":{}}', "gcp"],
      ["  [\n  {", "gcp"],
      ['{"value": 1}', undefined],
    ];
    for (const [head, format] of cases) expect([head, detectFormat(head)]).toEqual([head, format]);
  });
});

group("parseFlowLog", () => {
  it("reads every fixture's format without being told", async () => {
    const formats = await Promise.all(
      [
        "aws/default-v2.log",
        "azure/vnet-flow-log.json",
        "gcp/vpc-flows.jsonl",
        "gcp/vpc-flows-array.json",
      ].map(async (path) => {
        const first = (await parseAll(fixture(path))).find((entry) => entry.kind === "record");
        return first?.kind === "record" ? first.record.format : undefined;
      }),
    );
    expect(formats).toEqual(["aws", "azure", "gcp", "gcp"]);
  });

  it("undoes a gzip its source left, for JSON formats too", async () => {
    const parsed = await parseAll(gzippedFixture("azure/nsg-flow-log-v2.json"));
    expect(parsed.filter((entry) => entry.kind === "record")).toHaveLength(11);
  });

  it("reads nothing from an empty object, and reports a JSON object of no known format once", async () => {
    expect(await parseAll(textObject("empty.log", "\n \n"))).toEqual([]);
    expect((await parseAll(textObject("other.json", '{"value": 1}'))).map(describe)).toEqual([
      "1 malformed: a JSON object that is neither an Azure flow log blob nor a Cloud Logging entry",
    ]);
  });

  it("refuses an unknown format before reading", () => {
    expect(() => parseFlowLog(fixture("aws/default-v2.log"), "vpc" as FlowLogFormat)).toThrow(
      new FlowLogFormatError('unknown flow log format "vpc": aws, azure, gcp or auto'),
    );
  });

  it("names a gzip object that is corrupt as one that cannot be read", async () => {
    const corrupt = {
      name: "flows.log.gz",
      open: async () => Readable.from([Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6])]),
    };
    await expect(parseAll(corrupt)).rejects.toBeInstanceOf(FlowLogReadError);
  });

  it("closes the source when the reader stops early", async () => {
    let closed = false;
    const source = new Readable({ read() {} });
    source.push(Buffer.from("2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK\n".repeat(2000)));
    source.on("close", () => {
      closed = true;
    });
    for await (const entry of parseFlowLog({ name: "open.log", open: async () => source })) {
      expect(entry.kind).toBe("record");
      break;
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(true);
  });

  it("names the object that cannot be opened or read, with the cause", async () => {
    const missing = {
      name: "s3://bucket/missing.log.gz",
      open: () => Promise.reject(new Error("NoSuchKey")),
    };
    await expect(parseAll(missing)).rejects.toThrow(
      new FlowLogReadError("s3://bucket/missing.log.gz", "cannot be opened or read"),
    );
    const broken = {
      name: "flows.log",
      open: async () =>
        Readable.from(
          (async function* () {
            yield Buffer.from(
              "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK\n".repeat(3000),
            );
            throw new Error("connection reset");
          })(),
        ),
    };
    const error = await parseAll(broken).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FlowLogReadError);
    expect((error as FlowLogReadError).message).toBe("flows.log: could not be read to its end");
    expect(((error as FlowLogReadError).cause as Error).message).toBe("connection reset");
  });
});
