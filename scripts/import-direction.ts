/**
 * The direction of dependencies between the repository's parts (docs/architecture.md, "Dependencies"):
 * lib knows nothing of sim, cli, lambdas or infra; sim implements lib's ports; cli uses lib and sim;
 * lambdas and infra use lib only; the cloud-neutral folders import no single cloud's. Also finds
 * import cycles among the production files. Pure: the caller reads the files.
 */
import { posix } from "node:path";
import ts from "typescript";

/** The parts whose files ship or run in production, and what each may import besides itself. */
export const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  lib: [],
  sim: ["lib"],
  cli: ["lib", "sim"],
  lambdas: ["lib"],
  infra: ["lib"],
  // The package's entry points (package.json "exports"): the library and the construct.
  pkg: ["lib", "sim", "cli", "infra"],
};

export interface SourceFile {
  /** Repository-relative, with `/`. */
  readonly path: string;
  readonly text: string;
}

export interface ImportEdge {
  readonly from: string;
  readonly to: string;
  readonly line: number;
}

/** The repository files a file imports (static, dynamic and type-only), resolved against `known`. */
export function importsOf(file: SourceFile, known: ReadonlySet<string>): ImportEdge[] {
  const { importedFiles } = ts.preProcessFile(file.text, true, true);
  const edges: ImportEdge[] = [];
  for (const imported of importedFiles) {
    if (!imported.fileName.startsWith(".")) continue;
    const to = resolveModule(posix.join(posix.dirname(file.path), imported.fileName), known);
    if (to === undefined) continue;
    const line = file.text.slice(0, imported.pos).split("\n").length;
    edges.push({ from: file.path, to, line });
  }
  return edges;
}

function resolveModule(base: string, known: ReadonlySet<string>): string | undefined {
  const candidates = [base, base.replace(/\.js$/, ".ts"), base.replace(/\.js$/, ".d.ts"), `${base}.ts`];
  return candidates.find((candidate) => known.has(candidate));
}

function partOf(path: string): string {
  return path.split("/")[0] ?? "";
}

/** One line per import against the direction: `file:line: lib imports sim (sim/x.ts)`. */
export function directionProblems(edges: readonly ImportEdge[]): string[] {
  return edges.flatMap((edge) => {
    const from = partOf(edge.from);
    const to = partOf(edge.to);
    const allowed = MAY_IMPORT[from];
    if (allowed === undefined || from === to || allowed.includes(to)) return [];
    return [`${edge.from}:${edge.line}: ${from}/ imports ${to}/ (${edge.to}), against the direction`];
  });
}

/**
 * The folders that know no single cloud: they reach a cloud through the CloudProvider port and
 * the registry (lib/clouds/provider.ts, registry.ts) and what every cloud shares (lib/clouds/common/).
 */
export const CLOUD_NEUTRAL: readonly string[] = ["lib/reconcile/"];

/** One line per import of a single cloud's folder from a cloud-neutral one. */
export function cloudNeutralProblems(edges: readonly ImportEdge[], clouds: readonly string[]): string[] {
  return edges.flatMap((edge) => {
    const neutral = CLOUD_NEUTRAL.find((folder) => edge.from.startsWith(folder));
    if (neutral === undefined || cloudFolderOf(edge.to, clouds) === undefined) return [];
    return [
      `${edge.from}:${edge.line}: ${neutral} imports a single cloud (${edge.to}); go through the CloudProvider port`,
    ];
  });
}

/** Each import cycle among production files, as its files in order, found with Tarjan's algorithm. */
export function importCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    if (MAY_IMPORT[partOf(edge.from)] === undefined) continue;
    next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  }
  return stronglyConnected(next).filter(
    (component) => component.length > 1 || (next.get(component[0] ?? "") ?? []).includes(component[0] ?? ""),
  );
}

function stronglyConnected(next: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node) ?? 0);
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(to) ?? 0));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node) ?? 0, index.get(to) ?? 0));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      component.push(member);
      if (member === node) break;
    }
    components.push(component.sort());
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) visit(node);
  return components;
}

/** The cloud a file belongs to, when it lies in a cloud's folder (lib/clouds/<cloud>/, sim/clouds/<cloud>/). */
export function cloudFolderOf(path: string, clouds: readonly string[]): string | undefined {
  const match = /^(?:lib|sim)\/clouds\/([^/]+)\//.exec(path);
  return match?.[1] !== undefined && clouds.includes(match[1]) ? match[1] : undefined;
}

/**
 * The production files outside every cloud's folder that import from a cloud's folder: what a new
 * cloud must touch besides its own folders (docs/architecture.md, "Adding a cloud").
 */
export function filesNamingClouds(edges: readonly ImportEdge[], clouds: readonly string[]): string[] {
  const files = new Set<string>();
  for (const edge of edges) {
    if (MAY_IMPORT[partOf(edge.from)] === undefined || cloudFolderOf(edge.from, clouds) !== undefined)
      continue;
    if (cloudFolderOf(edge.to, clouds) !== undefined) files.add(edge.from);
  }
  return [...files].sort();
}

const ADDING_A_CLOUD = /^#+ Adding a cloud\s*$/m;

/** The files the "Adding a cloud" section lists: the first `path` of each list item. */
export function listedFiles(markdown: string): string[] {
  const start = markdown.search(ADDING_A_CLOUD);
  if (start < 0) return [];
  const rest = markdown.slice(start).split("\n").slice(1);
  const end = rest.findIndex((line) => /^#+ /.test(line));
  const section = end < 0 ? rest : rest.slice(0, end);
  return section.flatMap((line) => {
    const path = /^\s*[-*] `([^`]+\.ts)`/.exec(line)?.[1];
    return path === undefined ? [] : [path];
  });
}

/**
 * What keeps "Adding a cloud" true: every file outside the cloud folders that imports from one is
 * listed, and every listed file exists.
 */
export function addingACloudProblems(
  edges: readonly ImportEdge[],
  clouds: readonly string[],
  architecture: string,
  exists: (path: string) => boolean,
): string[] {
  // `lambdas/<cloud>-events.ts` stands for one file per cloud.
  const listed = listedFiles(architecture).flatMap((path) =>
    path.includes("<cloud>") ? clouds.map((cloud) => path.replace("<cloud>", cloud)) : [path],
  );
  const missing = filesNamingClouds(edges, clouds).filter((path) => !listed.includes(path));
  return [
    ...missing.map(
      (path) => `${path} imports from a cloud's folder: list it in docs/architecture.md, "Adding a cloud"`,
    ),
    ...listed
      .filter((path) => !exists(path))
      .map((path) => `docs/architecture.md, "Adding a cloud", lists ${path}, which does not exist`),
  ];
}
