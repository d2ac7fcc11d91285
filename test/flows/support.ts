/** Shared by the flow log tests: log objects over fixtures and text, and records in a line each. */
import { createReadStream, readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { LogObject, ObservedConnection, ParsedRecord } from "../../lib/flows/model.js";
import { type FormatChoice, type ParseOptions, parseFlowLog } from "../../lib/flows/parsers/index.js";

export const FIXTURES = fileURLToPath(new URL("../fixtures/flows/", import.meta.url));

export function fixture(path: string): LogObject {
  const file = join(FIXTURES, path);
  return { name: path, open: async () => createReadStream(file) };
}

/** A fixture gzipped as S3 delivery writes it, its gzip left for the parser to undo. */
export function gzippedFixture(path: string): LogObject {
  const bytes = gzipSync(readFileSync(join(FIXTURES, path)));
  return { name: `${path}.gz`, open: async () => Readable.from([bytes]) };
}

/** Text in chunks of `chunk` characters, so that records and keys cross chunk boundaries. */
export function textObject(name: string, text: string, chunk = 7): LogObject {
  const chunks: Buffer[] = [];
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += chunk) chunks.push(bytes.subarray(at, at + chunk));
  return { name, open: async () => Readable.from(chunks) };
}

export async function parseAll(object: LogObject, format: FormatChoice = "auto", options: ParseOptions = {}) {
  const parsed: ParsedRecord[] = [];
  for await (const entry of parseFlowLog(object, format, options)) parsed.push(entry);
  return parsed;
}

function endpoint(address: string, port: number | undefined): string {
  return port === undefined ? address : `${address}:${port}`;
}

/** One line per parsed record: where, what, and every field a connection is made of. */
export function describe(entry: ParsedRecord): string {
  if (entry.kind === "skipped") return `${entry.origin.line} skipped: ${entry.reason}`;
  if (entry.kind === "malformed")
    return `${entry.malformed.origin.line} malformed: ${entry.malformed.reason}`;
  const r = entry.record;
  return [
    `${r.origin.line} ${endpoint(r.srcAddress, r.srcPort)} > ${endpoint(r.dstAddress, r.dstPort)} p${r.protocol} ${r.action}`,
    `${r.packets}/${r.bytes}`,
    ...(r.reply === undefined ? [] : [`reply ${r.reply.packets}/${r.reply.bytes}`]),
    ...(r.initiator === undefined ? [] : [`initiator ${r.initiator}`]),
    ...(r.reportedBy === undefined ? [] : [`by ${r.reportedBy.id}`]),
    ...(r.reporterSide === undefined ? [] : [`at ${r.reporterSide}`]),
  ].join(" ");
}

/** One line per connection: initiator > responder, what was seen, and how sure the direction is. */
export function describeConnection(c: ObservedConnection): string {
  return [
    `${c.initiatorAddress} > ${endpoint(c.responderAddress, c.responderPort)} p${c.protocol} ${c.action}`,
    c.directionKnown ? "known" : "unknown",
    `${c.records} records ${c.packets}/${c.bytes}`,
    `${new Date(c.first).toISOString()}..${new Date(c.last).toISOString()}`,
    `by ${c.reportedBy.map((r) => r.id).join(",")}`,
  ].join(" ");
}
