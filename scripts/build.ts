/**
 * `npm run build` (also `prepare`, so `npm ci` in a clone and `npm pack` leave the package ready):
 * compiles the production code to `dist/` (ESM JavaScript and .d.ts, tsconfig.build.json), then
 * bundles each function into `dist/functions/` (scripts/bundle-functions.ts) and the command line
 * into `dist/cli-bundle/` (scripts/bundle-cli.ts). docs/package.md.
 * A build whose inputs have not changed since the last one is skipped (`dist/.inputs`): `npm test`
 * builds first, and right after `npm ci` built, that costs a hash instead of a minute.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { PROJECT_ROOT } from "../infra/bundling.js";
import { bundleCli } from "./bundle-cli.js";
import { bundleFunctions } from "./bundle-functions.js";

const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");
/** The folders tsconfig.build.json compiles. */
const SOURCE_FOLDERS = ["lib", "sim", "cli", "infra", "pkg"];
/** Everything the build reads besides node_modules: the sources, the functions and the settings. */
const INPUT_FOLDERS = [...SOURCE_FOLDERS, "lambdas"];
const INPUT_FILES = [
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "scripts/build.ts",
  "scripts/bundle-functions.ts",
  "scripts/bundle-cli.ts",
];
const INPUTS_STAMP = join(PROJECT_ROOT, "dist", ".inputs");

/** A hash of every input's path and content. */
function inputsHash(): string {
  const hash = createHash("sha256");
  const folderFiles = INPUT_FOLDERS.flatMap((folder) =>
    readdirSync(join(PROJECT_ROOT, folder), { recursive: true, encoding: "utf8" }).map((file) =>
      join(folder, file),
    ),
  );
  for (const file of [...INPUT_FILES, ...folderFiles].sort()) {
    const path = join(PROJECT_ROOT, file);
    // Folders are listed too: their files are hashed on their own.
    if (statSync(path).isFile()) hash.update(file).update("\0").update(readFileSync(path));
  }
  return hash.digest("hex");
}

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

const inputs = inputsHash();
if (existsSync(INPUTS_STAMP) && readFileSync(INPUTS_STAMP, "utf8") === inputs) {
  process.stdout.write("dist/ is up to date\n");
  process.exit(0);
}
rmSync(join(PROJECT_ROOT, "dist"), { recursive: true, force: true });
execFileSync(process.execPath, [TSC, "-p", join(PROJECT_ROOT, "tsconfig.build.json")], {
  cwd: PROJECT_ROOT,
  stdio: "inherit",
});
copyHandWrittenModules();
await Promise.all([bundleFunctions(), bundleCli()]);
writeFileSync(INPUTS_STAMP, inputs);
process.stdout.write(`built ${relative(process.cwd(), join(PROJECT_ROOT, "dist"))}/\n`);
