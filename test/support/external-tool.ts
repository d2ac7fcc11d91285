import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** Whether `program` is an executable on PATH. */
export function onPath(program: string): boolean {
  return pathOf(program) !== undefined;
}

/** Where `program` is on PATH, as a shell would find it; undefined when it is not. */
export function pathOf(program: string): string | undefined {
  for (const directory of (process.env.PATH ?? "").split(delimiter)) {
    try {
      accessSync(join(directory, program), constants.X_OK);
      return join(directory, program);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

const warned = new Set<string>();

/**
 * For `describe.skipIf(skipWithout(…))`: true (skip, with one visible warning per program) when
 * the program is missing, unless SEGSYNC_REQUIRE_EXTERNAL_TOOLS=1 (CI), where its absence throws
 * and fails the run instead of passing it silently.
 */
export function skipWithout(program: string, what: string, install: string): boolean {
  return skipUnless(onPath(program), program, what, install);
}

/** skipWithout for a program that is not looked up on PATH (one an npm package brings). */
export function skipUnless(present: boolean, program: string, what: string, install: string): boolean {
  if (present) return false;
  if (process.env.SEGSYNC_REQUIRE_EXTERNAL_TOOLS === "1") {
    throw new Error(`${program} not found, and SEGSYNC_REQUIRE_EXTERNAL_TOOLS=1 requires it for ${what}`);
  }
  if (!warned.has(program)) {
    warned.add(program);
    console.warn(`${program} not found: skipping ${what} (${install} to run them)`);
  }
  return true;
}
