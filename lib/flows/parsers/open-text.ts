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
  /** Closes what the object opened, for a reader that stops before the end. */
  close(): void;
}

function asBuffer(chunk: unknown): Buffer {
  return typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
}

/**
 * The stream's first bytes (whole chunks, until there are HEAD_BYTES or the stream ends: a
 * source may give small chunks), and a stream that gives them again, then the rest.
 */
async function peek(input: Readable): Promise<{ first: Buffer; stream: Readable }> {
  const iterator = input[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < HEAD_BYTES && !done) {
    const next = await iterator.next();
    if (next.done) done = true;
    else {
      chunks.push(asBuffer(next.value));
      size += chunks[chunks.length - 1]?.length ?? 0;
    }
  }
  async function* again() {
    try {
      yield* chunks;
      if (done) return;
      for (let step = await iterator.next(); !step.done; step = await iterator.next())
        yield asBuffer(step.value);
    } finally {
      await iterator.return?.();
    }
  }
  return { first: Buffer.concat(chunks), stream: Readable.from(again(), { objectMode: false }) };
}

function isGzip(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

async function openPeeked(object: LogObject): Promise<OpenedText> {
  const source = await object.open();
  const opened: Readable[] = [source];
  let peeked = await peek(source);
  if (isGzip(peeked.first)) {
    const gunzip = pipeline(peeked.stream, createGunzip(), () => {});
    opened.push(gunzip);
    peeked = await peek(gunzip);
  }
  return {
    head: peeked.first.subarray(0, HEAD_BYTES).toString("utf8"),
    stream: peeked.stream,
    // Directly: the stream's own end waits for a read from the source that may be pending.
    close: () => {
      for (const stream of opened) stream.destroy();
    },
  };
}

export async function openText(object: LogObject): Promise<OpenedText> {
  try {
    return await openPeeked(object);
  } catch (error) {
    throw new FlowLogReadError(object.name, "cannot be opened or read", { cause: error });
  }
}
