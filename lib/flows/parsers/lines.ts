/**
 * The lines of a text stream, a read chunk's worth at a time: cheaper per line than
 * node:readline's async iterator, which resolves a promise for every line. CRLF ends are undone.
 */
import type { Readable } from "node:stream";

export async function* lineBatches(input: Readable): AsyncGenerator<string[]> {
  input.setEncoding("utf8");
  let rest = "";
  for await (const chunk of input) {
    const lines = `${rest}${chunk as string}`.split("\n");
    rest = lines.pop() ?? "";
    if (lines.length > 0) yield lines;
  }
  if (rest !== "") yield [rest];
}

/** A line without the carriage return a CRLF file leaves at its end. */
export function withoutCarriageReturn(line: string): string {
  return line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}
