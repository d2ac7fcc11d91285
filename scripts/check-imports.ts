/**
 * Fails when an import goes against the direction of docs/architecture.md, "Dependencies", when a
 * cloud-neutral folder imports a single cloud's, or when production files import each other in a cycle. Run by `npm run lint`.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import {
  cloudNeutralProblems,
  directionProblems,
  importCycles,
  importsOf,
  type SourceFile,
} from "./import-direction.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SCANNED_FOLDERS = ["lib", "sim", "cli", "lambdas", "infra", "test", "bench", "scripts", "bin"];

async function sourceFiles(folder: string): Promise<SourceFile[]> {
  const entries = await readdir(join(ROOT, folder), { withFileTypes: true, recursive: true });
  const paths = entries
    .filter((entry) => entry.isFile() && /\.(ts|js)$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .filter((path) => !path.includes("/fixtures/"));
  return Promise.all(paths.map(async (path) => ({ path, text: await readFile(join(ROOT, path), "utf8") })));
}

const files = (await Promise.all(SCANNED_FOLDERS.map(sourceFiles))).flat();
const known = new Set(files.map((file) => file.path));
const edges = files.flatMap((file) => importsOf(file, known));
const messages = [
  ...directionProblems(edges),
  ...cloudNeutralProblems(edges),
  ...importCycles(edges).map((cycle) => `import cycle: ${cycle.join(" → ")}`),
];
for (const message of messages) console.error(message);
if (messages.length > 0) process.exitCode = 1;
