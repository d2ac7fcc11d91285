/**
 * Fails when a function in lib/ or infra/ is longer than 60 lines (issue 14), naming file:line, name and length.
 * Run by `npm run lint`.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { findLongFunctions, type LongFunction, MAX_FUNCTION_LINES } from "./function-length.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CHECKED_FOLDERS = ["lib", "infra"];

/**
 * Functions still too long, keyed `file:name`, with their length today. The list may only shrink: an entry
 * that grows fails, and so does an entry that no longer needs to be here. (lib/reconcile/driver.ts and
 * reconciler.ts are being reworked for the driver's explicit state, issue 14; their entries go with that work.)
 */
const STILL_TOO_LONG: ReadonlyMap<string, number> = new Map<string, number>([
  ["lib/cli/commands/demo.ts:demo", 84],
  ["lib/cli/flows.ts:explainFlow", 85],
  ["lib/export/live.ts:exportLive", 105],
  ["lib/reconcile/driver.ts:cloudDriver", 61],
  ["lib/reconcile/reconciler.ts:Reconciler.planAndApply", 82],
  ["lib/sim/build-aws.ts:buildAws", 91],
  ["lib/sim/build-azure.ts:buildAzure", 86],
  ["lib/sim/build-azure.ts:machineOf", 78],
  ["lib/sim/build-gcp.ts:buildGcp", 66],
  ["lib/sim/native-aws-check.ts:checkNativeAws", 69],
]);

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

function allowListKey(fn: LongFunction): string {
  return `${fn.file}:${fn.name}`;
}

/** The problems to report: long functions not allowed, allowed ones that grew, and entries no longer needed. */
function problems(found: readonly LongFunction[]): string[] {
  const messages: string[] = [];
  for (const fn of found) {
    const allowed = STILL_TOO_LONG.get(allowListKey(fn));
    if (allowed === undefined) {
      messages.push(`${fn.file}:${fn.line} ${fn.name} is ${fn.lines} lines (limit ${MAX_FUNCTION_LINES})`);
    } else if (fn.lines > allowed) {
      messages.push(
        `${fn.file}:${fn.line} ${fn.name} grew to ${fn.lines} lines (allowed ${allowed}: split it)`,
      );
    }
  }
  const stillLong = new Set(found.map(allowListKey));
  for (const key of STILL_TOO_LONG.keys()) {
    if (!stillLong.has(key))
      messages.push(`${key} is no longer over the limit: remove it from STILL_TOO_LONG`);
  }
  return messages;
}

const found = (await Promise.all(CHECKED_FOLDERS.map(longFunctionsIn))).flat();
const messages = problems(found);
if (messages.length > 0) {
  for (const message of messages) console.error(message);
  process.exitCode = 1;
}
