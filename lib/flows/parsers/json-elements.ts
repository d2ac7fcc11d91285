/**
 * A small incremental reader of one JSON array's elements: the top-level array (`gcloud logging
 * read --format=json`) or the `records` array of a top-level object (an Azure flow log blob).
 * It yields each element parsed, with the line it starts on, holding one element at a time, so
 * that a day of logs is never one JSON.parse. Only the elements are parsed; around them it
 * tracks strings and nesting, enough to find the array and to see a document cut short.
 */
import type { Readable } from "node:stream";

export type JsonArrayTarget = "top-level array" | "records array";

export type JsonElementEvent =
  | { readonly kind: "element"; readonly value: unknown; readonly line: number; readonly text: string }
  | { readonly kind: "error"; readonly line: number; readonly reason: string };

const NEWLINE = 10;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9 || code === 0xfeff;
}

class ElementScanner {
  private line = 1;
  private started = false;
  stopped = false;
  private readonly stack: number[] = [];
  private inString = false;
  private escaped = false;
  /** In the top-level object: whether the next string is a key, and the last key read. */
  private keyNext = false;
  private key = "";
  private keyStart = -1;
  private keyParts: string[] = [];
  /** The stack depth of the target array's elements once found; 0 before. */
  private targetDepth = 0;
  private found = false;
  private elementParts: string[] | undefined;
  private elementLine = 0;
  readonly events: JsonElementEvent[] = [];

  constructor(private readonly target: JsonArrayTarget) {}

  feed(chunk: string): void {
    let from = this.elementParts === undefined ? -1 : 0;
    this.keyStart = this.keyStart >= 0 ? 0 : -1;
    for (let i = 0; i < chunk.length && !this.stopped; i++) {
      const code = chunk.charCodeAt(i);
      if (code === NEWLINE) this.line++;
      if (this.inString) {
        this.stringChar(code, chunk, i);
        continue;
      }
      if (this.elementParts === undefined && this.atElementDepth() && !isSpace(code) && code !== COMMA) {
        if (code === CLOSE_BRACKET) {
          this.closeContainer(code);
          continue;
        }
        this.elementParts = [];
        this.elementLine = this.line;
        from = i;
      }
      if (
        this.elementParts !== undefined &&
        this.atElementDepth() &&
        (code === COMMA || code === CLOSE_BRACKET)
      ) {
        this.elementParts.push(chunk.slice(from, i));
        this.endElement();
        from = -1;
        if (code === CLOSE_BRACKET) this.closeContainer(code);
        continue;
      }
      this.structural(code, chunk, i);
    }
    if (this.elementParts !== undefined && from >= 0) this.elementParts.push(chunk.slice(from));
    if (this.keyStart >= 0) this.keyParts.push(chunk.slice(this.keyStart));
  }

  end(): void {
    if (this.stopped) return;
    if (!this.started) this.fail("the object is empty: no JSON document");
    else if (this.stack.length > 0) this.fail("the JSON document ends before it is closed (cut short?)");
    else if (!this.found) this.fail(`the JSON document has no ${this.target}`);
  }

  private atElementDepth(): boolean {
    return this.targetDepth > 0 && this.stack.length === this.targetDepth;
  }

  private stringChar(code: number, chunk: string, i: number): void {
    if (this.escaped) this.escaped = false;
    else if (code === BACKSLASH) this.escaped = true;
    else if (code === QUOTE) {
      this.inString = false;
      if (this.keyStart >= 0) {
        this.keyParts.push(chunk.slice(this.keyStart, i));
        this.key = this.keyParts.join("");
        this.keyStart = -1;
        this.keyParts = [];
      }
    }
  }

  private structural(code: number, chunk: string, i: number): void {
    if (isSpace(code)) return;
    if (!this.started) {
      this.started = true;
      const opener = this.target === "top-level array" ? OPEN_BRACKET : OPEN_BRACE;
      if (code !== opener) {
        this.fail(
          `not a JSON ${this.target === "top-level array" ? "array" : "object"}: it starts with ${JSON.stringify(chunk[i])}`,
        );
        return;
      }
    }
    if (code === QUOTE) {
      this.inString = true;
      if (this.keyNext && this.stack.length === 1) {
        this.keyStart = i + 1;
        this.keyNext = false;
      }
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) this.openContainer(code);
    else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) this.closeContainer(code);
    else if (code === COMMA && this.stack.length === 1 && this.stack[0] === OPEN_BRACE) this.keyNext = true;
    else if (code === COLON) this.keyNext = false;
  }

  private openContainer(code: number): void {
    const isTarget =
      !this.found &&
      code === OPEN_BRACKET &&
      (this.target === "top-level array"
        ? this.stack.length === 0
        : this.stack.length === 1 && this.stack[0] === OPEN_BRACE && this.key === "records");
    this.stack.push(code);
    if (isTarget) {
      this.found = true;
      this.targetDepth = this.stack.length;
    }
    if (code === OPEN_BRACE && this.stack.length === 1) this.keyNext = true;
  }

  private closeContainer(code: number): void {
    const open = this.stack.pop();
    if (open !== (code === CLOSE_BRACE ? OPEN_BRACE : OPEN_BRACKET)) {
      this.fail(`unbalanced ${String.fromCharCode(code)}`);
      return;
    }
    // The target array itself closed: its elements are all read.
    if (this.targetDepth > 0 && this.stack.length === this.targetDepth - 1) this.targetDepth = 0;
  }

  private endElement(): void {
    const text = (this.elementParts ?? []).join("");
    this.elementParts = undefined;
    try {
      this.events.push({ kind: "element", value: JSON.parse(text), line: this.elementLine, text });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.events.push({ kind: "error", line: this.elementLine, reason: `not JSON: ${reason}` });
    }
  }

  private fail(reason: string): void {
    this.events.push({ kind: "error", line: this.line, reason });
    this.stopped = true;
  }
}

/** The target array's elements in order; a document that is not JSON, or cut short, ends with one error. */
export async function* jsonArrayElements(
  input: Readable,
  target: JsonArrayTarget,
): AsyncGenerator<JsonElementEvent> {
  const scanner = new ElementScanner(target);
  input.setEncoding("utf8");
  for await (const chunk of input) {
    scanner.feed(chunk as string);
    yield* scanner.events.splice(0);
    if (scanner.stopped) return;
  }
  scanner.end();
  yield* scanner.events.splice(0);
}
