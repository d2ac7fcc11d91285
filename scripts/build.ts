/**
 * `npm run build` (also `prepare`, so `npm ci` in a clone and `npm pack` leave the package ready):
 * compiles the production code to `dist/` (ESM JavaScript and .d.ts, tsconfig.build.json), then
 * bundles each function into `dist/functions/` (scripts/bundle-functions.ts). docs/package.md.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { PROJECT_ROOT } from "../infra/bundling.js";
import { bundleFunctions } from "./bundle-functions.js";

const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");
/** The folders tsconfig.build.json compiles. */
const SOURCE_FOLDERS = ["lib", "sim", "cli", "infra", "pkg"];

/**
 * Hand-written JavaScript modules and their declarations (lib/clouds/gcp/sdk/modules.js says why
 * it is one): tsc does not emit them, so they are copied beside the compiled files.
 */
function copyHandWrittenModules(): void {
  for (const folder of SOURCE_FOLDERS) {
    const files = readdirSync(join(PROJECT_ROOT, folder), { recursive: true, encoding: "utf8" });
    for (const file of files.filter((name) => name.endsWith(".js") || name.endsWith(".d.ts"))) {
      const target = join(PROJECT_ROOT, "dist", folder, file);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(join(PROJECT_ROOT, folder, file), target);
    }
  }
}

rmSync(join(PROJECT_ROOT, "dist"), { recursive: true, force: true });
execFileSync(process.execPath, [TSC, "-p", join(PROJECT_ROOT, "tsconfig.build.json")], {
  cwd: PROJECT_ROOT,
  stdio: "inherit",
});
copyHandWrittenModules();
await bundleFunctions();
process.stdout.write(`built ${relative(process.cwd(), join(PROJECT_ROOT, "dist"))}/\n`);
