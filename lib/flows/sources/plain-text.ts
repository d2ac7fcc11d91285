/**
 * A log object's bytes as plain text. Gzip is recognised by its magic bytes, not by the name
 * (S3 delivery writes `.log.gz`, a copy may be renamed, a blob may be stored with
 * Content-Encoding: gzip), and undone while streaming. Every failure of the returned stream names
 * the object; it never escapes as an unhandled error.
 */
import { PassThrough, Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { CorruptGzipError, messageOf, ObjectReadError } from "./errors.js";

/** RFC 1952: ID1 ID2. */
const GZIP_MAGIC = [0x1f, 0x8b] as const;

export async function plainText(object: string, raw: Readable): Promise<Readable> {
  const out = new PassThrough();
  // Listening from the start: an error while the head is read, or between then and piping, is
  // this object's error, never an unhandled one.
  let failure: ObjectReadError | undefined;
  let returned = false;
  raw.on("error", (error) => {
    failure ??= new ObjectReadError(object, messageOf(error), { cause: error });
    if (returned) out.destroy(failure);
  });
  let head: { bytes: Buffer; ended: boolean };
  try {
    head = await firstBytes(raw, GZIP_MAGIC.length);
  } catch (error) {
    raw.destroy();
    throw failure ?? new ObjectReadError(object, messageOf(error), { cause: error });
  }
  // A stream that ended cannot be unshifted into: what it held is all there is.
  const source = head.ended ? Readable.from(head.bytes.length > 0 ? [head.bytes] : []) : raw;
  const gunzip = isGzip(head.bytes) ? createGunzip() : undefined;
  gunzip?.on("error", (error) => out.destroy(new CorruptGzipError(object, { cause: error })));
  // A consumer that stops early (destroys the stream) releases the object too.
  out.once("close", () => {
    raw.destroy();
    gunzip?.destroy();
  });
  (gunzip === undefined ? source : source.pipe(gunzip)).pipe(out);
  returned = true;
  if (failure !== undefined) out.destroy(failure);
  return out;
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
