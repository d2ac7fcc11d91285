/**
 * How each function is bundled, in one place. `npm run build` (scripts/bundle-functions.ts)
 * bundles each function with BUNDLE into the package's `dist/functions/<name>/`, and the construct
 * deploys those files as they are (docs/package.md): a consuming app needs neither segsync's
 * sources nor esbuild. The `bundles` benchmark builds with the same options.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../lib/util/package-root.js";
import { FunctionBundleMissingError } from "./errors.js";

/**
 * The functions of the pipeline (docs/architecture.md, "The serverless pipeline"), each
 * `lambdas/<name>.ts` exporting `handler`.
 */
export const FUNCTION_NAMES = ["aws-events", "azure-events", "gcp-events", "reconciler"] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** The package's root: the clone, or `node_modules/segsync` in a consuming app. */
export const PROJECT_ROOT = packageRoot();

/** Where the build put the function's bundle (`index.mjs` and its source map). */
export function bundleFolderOf(name: FunctionName, root: string = PROJECT_ROOT): string {
  return join(root, "dist", "functions", name);
}

/** The function's bundle folder; a clear error when the package was not built. */
export function builtBundleOf(name: FunctionName, root: string = PROJECT_ROOT): string {
  const folder = bundleFolderOf(name, root);
  if (!existsSync(join(folder, BUNDLE.outfile)))
    throw new FunctionBundleMissingError(
      `segsync: the ${name} function's bundle is missing (${join(folder, BUNDLE.outfile)}); run \`npm run build\` in segsync's folder`,
    );
  return folder;
}

/**
 * ESM has no `require`, `__filename` or `__dirname`, but CommonJS dependencies bundled into
 * the ESM output use them (the GCP client reads its protos relative to `__dirname`). The
 * imports are aliased so that they cannot collide with the bundle's own top-level names.
 */
export const ESM_BANNER = [
  'import { createRequire as __segsyncCreateRequire } from "node:module";',
  'import { fileURLToPath as __segsyncFileURLToPath } from "node:url";',
  'import { dirname as __segsyncDirname } from "node:path";',
  "const require = __segsyncCreateRequire(import.meta.url);",
  "const __filename = __segsyncFileURLToPath(import.meta.url);",
  "const __dirname = __segsyncDirname(__filename);",
].join(" ");

/** Stack traces of minified code are useless without the source map. */
export const FUNCTION_NODE_OPTIONS = "--enable-source-maps";

/** The esbuild settings every function is built with. */
export const BUNDLE = {
  /** Lambda's Node.js 24 runtime. */
  target: "node24",
  format: "esm",
  outfile: "index.mjs",
  minify: true,
  sourcemap: true,
  // Mappings are enough for stack traces; embedding the sources would triple the map's size.
  sourcesContent: false,
  // The AWS SDK v3 packages publish ESM under `module`: smaller and tree-shaken.
  mainFields: ["module", "main"],
  // Nothing is left to the runtime's preinstalled SDK: each bundle holds exactly the clients
  // (and versions) that its handler imports, as tested here.
  external: [] as string[],
  banner: ESM_BANNER,
} as const;
