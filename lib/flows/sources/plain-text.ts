/**
 * A log object's bytes as plain text. Gzip is recognised by its magic bytes, not by the name
 * (S3 delivery writes `.log.gz`, a copy may be renamed, a blob may be stored with
 * Content-Encoding: gzip), and undone while streaming. Every failure of the returned stream names
 * the object; it never escapes as an unhandled error.
 */
import { pipeline, Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { CorruptGzipError, messageOf, ObjectReadError } from "./errors.js";

/** RFC 1952: ID1 ID2. */
const GZIP_MAGIC = [0x1f, 0x8b] as const;

export async function plainText(object: string, raw: Readable): Promise<Readable> {
  // Listening from the start: an error before the text is read is this object's, kept for then.
  let sourceError: unknown;
  raw.on("error", (error) => {
    sourceError ??= error;
  });
  let head: { bytes: Buffer; ended: boolean };
  try {
    head = await firstBytes(raw, GZIP_MAGIC.length);
  } catch (error) {
    raw.destroy();
    throw new ObjectReadError(object, messageOf(sourceError ?? error), { cause: sourceError ?? error });
  }
  // A stream that ended cannot be unshifted into: what it held is all there is.
  const source = head.ended ? Readable.from(head.bytes.length > 0 ? [head.bytes] : []) : raw;
  const gzip = isGzip(head.bytes);
  // Lazy: nothing flows, and so nothing fails, before the caller reads.
  return Readable.from(
    chunks(object, source, gzip, () => sourceError),
    { objectMode: false },
  );
}

/**
 * The text's chunks. Stopping early (the reader destroys the stream) ends the iteration, which
 * destroys the source.
 */
async function* chunks(
  object: string,
  source: Readable,
  gzip: boolean,
  sourceError: () => unknown,
): AsyncGenerator<Buffer> {
  // pipeline: a source that fails destroys the gunzip with its error.
  const text = gzip ? pipeline(source, createGunzip(), () => {}) : source;
  try {
    for await (const chunk of text) yield chunk as Buffer;
  } catch (error) {
    const failed = sourceError();
    if (failed !== undefined) throw new ObjectReadError(object, messageOf(failed), { cause: failed });
    if (gzip) throw new CorruptGzipError(object, { cause: error });
    throw new ObjectReadError(object, messageOf(error), { cause: error });
  } finally {
    source.destroy();
  }
}

function isGzip(bytes: Buffer): boolean {
  return bytes.length >= GZIP_MAGIC.length && GZIP_MAGIC.every((byte, index) => bytes[index] === byte);
}

/** Reads until `count` bytes or the end, then puts them back at the front of the stream. */
function firstBytes(stream: Readable, count: number): Promise<{ bytes: Buffer; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const finish = (ended: boolean) => {
      stream.off("readable", onReadable).off("end", onEnd).off("error", onError);
      const bytes = Buffer.concat(chunks);
      if (!ended && bytes.length > 0) stream.unshift(bytes);
      resolve({ bytes, ended });
    };
    const onReadable = () => {
      for (let chunk = stream.read(); chunk !== null; chunk = stream.read()) {
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
        length += chunks.at(-1)?.length ?? 0;
        if (length >= count) return finish(false);
      }
    };
    const onEnd = () => finish(true);
    const onError = (error: unknown) => {
      stream.off("readable", onReadable).off("end", onEnd);
      reject(error);
    };
    stream.on("readable", onReadable).once("end", onEnd).once("error", onError);
  });
}
