/**
 * How each function is bundled, in one place: the construct's NodejsFunction and the `bundles`
 * benchmark both derive their esbuild options from BUNDLE, so that the benchmark measures what
 * is deployed.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { BuildOptions } from "esbuild";

/**
 * The functions of the pipeline (docs/architecture.md, "The serverless pipeline"), each
 * `lambdas/<name>.ts` exporting `handler`.
 */
export const FUNCTION_NAMES = ["aws-events", "azure-events", "gcp-events", "reconciler"] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** The repository root: where package-lock.json is, and what esbuild resolves from. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export function entryOf(name: FunctionName): string {
  return join(PROJECT_ROOT, "lambdas", `${name}.ts`);
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

/** BUNDLE as esbuild build options, as NodejsFunction passes them on the esbuild command line. */
export function esbuildOptions(entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: BUNDLE.target,
    format: BUNDLE.format,
    outfile: join(outdir, BUNDLE.outfile),
    minify: BUNDLE.minify,
    sourcemap: BUNDLE.sourcemap,
    sourcesContent: BUNDLE.sourcesContent,
    mainFields: [...BUNDLE.mainFields],
    external: [...BUNDLE.external],
    banner: { js: BUNDLE.banner },
    absWorkingDir: PROJECT_ROOT,
    logLevel: "silent",
  };
}
