/** The incremental reader of one JSON array's elements (lib/flows/parsers/json-elements.ts). */
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { type JsonArrayTarget, jsonArrayElements } from "../../lib/flows/parsers/json-elements.js";

async function elements(text: string, target: JsonArrayTarget, chunk: number) {
  const chunks: string[] = [];
  for (let at = 0; at < text.length; at += chunk) chunks.push(text.slice(at, at + chunk));
  const out: unknown[] = [];
  for await (const event of jsonArrayElements(Readable.from(chunks), target)) {
    out.push(event.kind === "element" ? [event.line, event.value] : [event.line, event.reason]);
  }
  return out;
}

describe("jsonArrayElements", () => {
  const blob = [
    "{",
    '  "note": {"records": ["not these"]},',
    '  "text": "a \\"records\\" key, [brackets] and {braces}",',
    '  "records": [',
    '    {"t": "x,]}\\\\"},',
    "    [1, [2]],",
    "    3",
    "  ]",
    "}",
  ].join("\n");

  it("reads the top-level object's records, past strings with quotes, brackets and escapes, in chunks of any size", async () => {
    for (const chunk of [1, 2, 3, 7, 64, 4096]) {
      expect(await elements(blob, "records array", chunk)).toEqual([
        [5, { t: "x,]}\\" }],
        [6, [1, [2]]],
        [7, 3],
      ]);
    }
  });

  it("reads the elements of a top-level array, and an empty one as none", async () => {
    expect(await elements('[\n{"a": 1},\n"b"\n]', "top-level array", 5)).toEqual([
      [2, { a: 1 }],
      [3, "b"],
    ]);
    expect(await elements(" [ ] ", "top-level array", 2)).toEqual([]);
  });

  it("ends with one error where the document is not what it should be", async () => {
    expect(await elements('{"records": 1}', "records array", 4)).toEqual([
      [1, "the JSON document has no records array"],
    ]);
    expect(await elements('[{"a": 1}', "top-level array", 4)).toEqual([
      [1, "the JSON document ends before it is closed (cut short?)"],
    ]);
    expect(await elements('{"records": [1}', "records array", 4)).toEqual([[1, "unbalanced }"]]);
    expect(await elements("", "top-level array", 4)).toEqual([[1, "the object is empty: no JSON document"]]);
  });
});
