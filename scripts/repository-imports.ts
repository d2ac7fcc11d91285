/** The repository's source files and the imports between them, read from disk for the layout checks. */
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { type ImportEdge, importsOf, type SourceFile } from "./import-direction.js";

const SCANNED_FOLDERS = ["lib", "sim", "cli", "lambdas", "infra", "pkg", "test", "bench", "scripts", "bin"];

async function sourceFiles(root: string, folder: string): Promise<SourceFile[]> {
  const entries = await readdir(join(root, folder), { withFileTypes: true, recursive: true });
  const paths = entries
    .filter((entry) => entry.isFile() && /\.(ts|js)$/.test(entry.name))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .filter((path) => !path.includes("/fixtures/"));
  return Promise.all(paths.map(async (path) => ({ path, text: await readFile(join(root, path), "utf8") })));
}

export async function repositoryImports(root: string): Promise<{ files: SourceFile[]; edges: ImportEdge[] }> {
  const files = (await Promise.all(SCANNED_FOLDERS.map((folder) => sourceFiles(root, folder)))).flat();
  const known = new Set(files.map((file) => file.path));
  return { files, edges: files.flatMap((file) => importsOf(file, known)) };
}
