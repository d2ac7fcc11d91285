/**
 * Opens a log object for a parser: its first bytes read ahead (to tell the format), and a gzip
 * stream its source did not undo undone here, so that a `.gz` read as it is still parses.
 */
import { pipeline, Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { FlowLogReadError } from "../errors.js";
import type { LogObject } from "../model.js";

/** How much of the text format detection looks at. */
const HEAD_BYTES = 64 * 1024;

export interface OpenedText {
  /** The start of the text (up to 64 KiB), for format detection. */
  readonly head: string;
  /** The whole text, head included. */
  readonly stream: Readable;
}

function asBuffer(chunk: unknown): Buffer {
  return typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
}

/** The stream's first chunk, and a stream that gives that chunk again, then the rest. */
async function peek(input: Readable): Promise<{ first: Buffer; stream: Readable }> {
  const iterator = input[Symbol.asyncIterator]();
  const next = await iterator.next();
  const first = next.done ? Buffer.alloc(0) : asBuffer(next.value);
  async function* again() {
    if (first.length > 0) yield first;
    if (next.done) return;
    for (let step = await iterator.next(); !step.done; step = await iterator.next())
      yield asBuffer(step.value);
  }
  return { first, stream: Readable.from(again(), { objectMode: false }) };
}

function isGzip(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

async function openPeeked(object: LogObject): Promise<OpenedText> {
  let peeked = await peek(await object.open());
  if (isGzip(peeked.first)) {
    const gunzip = pipeline(peeked.stream, createGunzip(), () => {});
    peeked = await peek(gunzip);
  }
  return { head: peeked.first.subarray(0, HEAD_BYTES).toString("utf8"), stream: peeked.stream };
}

export async function openText(object: LogObject): Promise<OpenedText> {
  try {
    return await openPeeked(object);
  } catch (error) {
    throw new FlowLogReadError(object.name, "cannot be opened or read", { cause: error });
  }
}
