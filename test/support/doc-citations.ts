/**
 * What the repository cites must be in the repository: no reference to a document a user never
 * gets (the design document's sections and the cloud facts that lived beside the repository), no
 * relative path in code that climbs out of the clone, and every `docs/<file>.md, "<heading>"` or
 * `docs/<file>.md#<anchor>` naming a docs file that exists and a heading it has. Each problem is
 * one line, `path:line: message`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

/** The trees a user gets and reads: code, tests, docs, examples, schema. */
export const CITING_TREES = [
  "lib",
  "sim",
  "cli",
  "lambdas",
  "infra",
  "bench",
  "scripts",
  "test",
  "bin",
  "docs",
  "examples",
  "schema",
  "README.md",
];

const TEXT_FILE = /\.(ts|js|mjs|cjs|md|ya?ml|json)$/;
/** Code, where a relative path is one the program opens or imports. */
const CODE_FILE = /\.(ts|js|mjs|cjs)$/;
/** Larger files are recorded data, not prose. */
const MAX_SCANNED_BYTES = 1_000_000;

/** The workspace folder that lives beside a developer's clone, and never beside a user's. */
const SIBLING_FOLDER = ["sha", "red"].join("");

/** Citations of documents that live outside the repository. */
const OUTSIDE_DOCUMENTS: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /DESIGN(?:\.md)?\s*§/g, what: "a section of the design document" },
  { pattern: /cloud-?facts/g, what: "the cloud facts" },
  // The folder beside the clone, however the path is spelt: a climbing path or a join(…, "..", …).
  {
    pattern: new RegExp(String.raw`(?:\.\.\/+|"\.\.",\s*")${SIBLING_FOLDER}\b`, "g"),
    what: "the folder beside the repository",
  },
];

/** A relative path that climbs: checked against the file's own folder. */
const CLIMBING_PATH = /(?:\.\.\/)+[\w.@-]+(?:\/[\w.@-]+)*/g;

/** Between the words of a citation: spaces and the comment markers of a wrapped line. */
const GAP = String.raw`(?:\s|\*|//|#)*`;
const CITATION = new RegExp(
  String.raw`docs/([\w.-]+\.md)(#[\w-]+)?((?:,${GAP}"[^"\n]+"|${GAP}and${GAP}"[^"\n]+")*)`,
  "g",
);

export function citationProblems(root: string): string[] {
  const problems: string[] = [];
  const headings = new Map<string, Set<string> | undefined>();
  for (const file of textFiles(root)) {
    const text = readFileSync(file, "utf8");
    const path = relative(root, file);
    const at = (index: number) => `${path}:${lineOf(text, index)}`;
    for (const { pattern, what } of OUTSIDE_DOCUMENTS) {
      for (const match of text.matchAll(pattern)) problems.push(`${at(match.index)}: cites ${what}`);
    }
    for (const match of CODE_FILE.test(file) ? text.matchAll(CLIMBING_PATH) : []) {
      if (!inside(root, resolve(dirname(file), match[0]))) {
        problems.push(`${at(match.index)}: ${match[0]} is outside the repository`);
      }
    }
    for (const match of text.matchAll(CITATION)) {
      const [, docFile = "", anchor, quoted = ""] = match;
      const known = docHeadings(root, docFile, headings);
      if (known === undefined) {
        problems.push(`${at(match.index)}: docs/${docFile} does not exist`);
        continue;
      }
      for (const [, heading = ""] of quoted.matchAll(/"([^"]+)"/g)) {
        if (!known.has(heading))
          problems.push(`${at(match.index)}: docs/${docFile} has no heading "${heading}"`);
      }
      if (anchor !== undefined && ![...known].some((heading) => slug(heading) === anchor.slice(1))) {
        problems.push(`${at(match.index)}: docs/${docFile} has no heading for ${anchor}`);
      }
    }
  }
  return problems;
}

/** The anchor GitHub gives a heading: lowercase, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function docHeadings(
  root: string,
  docFile: string,
  cache: Map<string, Set<string> | undefined>,
): Set<string> | undefined {
  if (!cache.has(docFile)) {
    const path = join(root, "docs", docFile);
    cache.set(docFile, existsSync(path) ? markdownHeadings(readFileSync(path, "utf8")) : undefined);
  }
  return cache.get(docFile);
}

function markdownHeadings(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, "");
  const headings = [...withoutCode.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)];
  return new Set(headings.flatMap(([, heading]) => (heading === undefined ? [] : [heading])));
}

function textFiles(root: string): string[] {
  return CITING_TREES.flatMap((tree) => walk(join(root, tree)));
}

function walk(path: string): string[] {
  if (!existsSync(path)) return [];
  const stat = statSync(path);
  if (stat.isFile()) return TEXT_FILE.test(path) && stat.size <= MAX_SCANNED_BYTES ? [path] : [];
  if (!stat.isDirectory() || path.endsWith(`${sep}node_modules`)) return [];
  return readdirSync(path)
    .sort()
    .flatMap((name) => walk(join(path, name)));
}

function inside(root: string, path: string): boolean {
  const fromRoot = relative(root, path);
  return !fromRoot.startsWith("..") && !fromRoot.startsWith(sep);
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}
