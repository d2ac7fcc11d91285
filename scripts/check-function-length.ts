/**
 * Fails when a function in lib/, sim/, cli/, lambdas/ or infra/ is longer than 60 lines (issue 14), naming file:line, name and length.
 * Run by `npm run lint`.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { allowListProblems, findLongFunctions, type LongFunction } from "./function-length.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CHECKED_FOLDERS = ["lib", "sim", "cli", "lambdas", "infra", "pkg"];

/**
 * Functions still too long, keyed `file:name`, with their length today: none since issue 14 split the last
 * ones. An entry may only shrink: one that grows fails, and so does one that no longer needs to be here.
 */
const STILL_TOO_LONG: ReadonlyMap<string, number> = new Map<string, number>([]);

async function typeScriptFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts"))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

async function longFunctionsIn(folder: string): Promise<LongFunction[]> {
  const found: LongFunction[] = [];
  for (const path of await typeScriptFiles(join(ROOT, folder))) {
    found.push(...findLongFunctions(relative(ROOT, path), await readFile(path, "utf8")));
  }
  return found;
}

const found = (await Promise.all(CHECKED_FOLDERS.map(longFunctionsIn))).flat();
const messages = allowListProblems(found, STILL_TOO_LONG);
if (messages.length > 0) {
  for (const message of messages) console.error(message);
  process.exitCode = 1;
}
