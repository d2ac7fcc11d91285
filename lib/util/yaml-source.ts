/**
 * Document text (a policy, an estate, a scenario) → a JS value, with every problem placed at its
 * line and column. YAML and JSON both go through the `yaml` parser (a `.json` file with its
 * strict JSON scalars), which keeps the node tree, so that an issue's path can be traced back to
 * the text.
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  type YAMLError,
} from "yaml";
import { type DraftIssue, formatPath, type PathSegment, type SourceIssue } from "./source-issues.js";

export interface YamlSource {
  /** The document as plain JS; undefined when the text is not well-formed. */
  readonly value: unknown;
  /** Problems of the text itself (syntax, duplicate keys), placed. */
  readonly issues: readonly SourceIssue[];
  /** True when the text is not well-formed: the tree cannot be trusted for further checks. */
  readonly malformed: boolean;
  /** Places an issue found in `value` at its node in the text. */
  locate(issue: DraftIssue): SourceIssue;
}

export interface YamlSourceOptions {
  /** Strict JSON scalars (a `.json` file). */
  readonly json: boolean;
  /** What the file holds, for messages: "policy", "estate", "scenario". */
  readonly documentKind: string;
}

/** YAML's own words for these would send users to its API documentation. */
function plainMessage(code: string, documentKind: string): string | undefined {
  const article = /^[aeiou]/.test(documentKind) ? "an" : "a";
  if (code === "MULTIPLE_DOCS")
    return `${article} ${documentKind} file holds one document: remove the second one`;
  return undefined;
}

function keyMatches(pair: Pair, segment: PathSegment): boolean {
  return isScalar(pair.key) && String(pair.key.value) === String(segment);
}

interface Found {
  /** The deepest node that the path reaches. */
  readonly node: Node | null;
  /** The key node of the last map step, when the whole path was reached through a map key. */
  readonly key?: Node;
  readonly complete: boolean;
}

/** Follows a path through maps and sequences; the last of repeated keys wins, as in toJS. */
function findNode(document: Document, path: readonly PathSegment[]): Found {
  let node = document.contents as Node | null;
  let key: Node | undefined;
  for (const segment of path) {
    if (isAlias(node)) node = (node.resolve(document) as Node | undefined) ?? node;
    let next: Node | null | undefined;
    if (isMap(node)) {
      const pair = node.items.findLast((item) => keyMatches(item, segment));
      key = pair?.key as Node | undefined;
      next = pair ? ((pair.value as Node | null) ?? key) : undefined;
    } else if (isSeq(node) && typeof segment === "number") {
      key = undefined;
      next = node.items[segment] as Node | undefined;
    }
    if (next === undefined || next === null) return { node, complete: false };
    node = next;
  }
  return { node, key, complete: true };
}

/** The path of the map key that starts at `offset`, for YAML's duplicate-key errors. */
function pathOfKeyAt(node: unknown, offset: number, path: PathSegment[] = []): PathSegment[] | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const keyPath = [...path, isScalar(pair.key) ? String(pair.key.value) : "?"];
      if ((pair.key as Node | null)?.range?.[0] === offset) return keyPath;
      const inValue = pathOfKeyAt(pair.value, offset, keyPath);
      if (inValue) return inValue;
    }
  } else if (isSeq(node)) {
    for (const [index, item] of node.items.entries()) {
      const inItem = pathOfKeyAt(item, offset, [...path, index]);
      if (inItem) return inItem;
    }
  }
  return undefined;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

export function parseYamlSource(text: string, options: YamlSourceOptions): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    schema: options.json ? "json" : "core",
  });
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  const yamlIssue = (error: YAMLError): SourceIssue => {
    if (error.code === "DUPLICATE_KEY") {
      const path = pathOfKeyAt(document.contents, error.pos[0]) ?? [];
      const key = path.at(-1);
      return { path: formatPath(path), message: `duplicate key "${String(key)}"`, ...position(error.pos[0]) };
    }
    const message =
      options.json && error.code === "TAG_RESOLVE_FAILED"
        ? `${text.slice(error.pos[0], error.pos[1])} is not a JSON value: quote strings`
        : (plainMessage(error.code, options.documentKind) ?? lowerFirst(error.message));
    return { path: formatPath([]), message, ...position(error.pos[0]) };
  };

  const locate = (issue: DraftIssue): SourceIssue => {
    const found = findNode(document, issue.path);
    const target = issue.target === "key" && found.complete && found.key ? found.key : found.node;
    return { path: formatPath(issue.path), message: issue.message, ...position(target?.range?.[0] ?? 0) };
  };

  const issues = document.errors.map(yamlIssue);
  // Repeated keys leave a sound tree (the last one wins); any other error does not.
  const malformed = document.errors.some((error) => error.code !== "DUPLICATE_KEY");
  if (malformed) return { value: undefined, issues, malformed, locate };
  try {
    return { value: document.toJS({ maxAliasCount: 100 }), issues, malformed, locate };
  } catch (error) {
    // toJS refuses alias bombs (too many alias expansions).
    const message = lowerFirst(error instanceof Error ? error.message : String(error));
    return {
      value: undefined,
      issues: [...issues, { path: formatPath([]), message, line: 1, column: 1 }],
      malformed: true,
      locate,
    };
  }
}
