/**
 * Bundles each function of the pipeline with the construct's options (infra/bundling.ts, BUNDLE)
 * into `dist/functions/<name>/`: what the construct deploys, and what the `bundles` benchmark
 * measures. Run by `npm run build` (scripts/build.ts).
 */
import { join } from "node:path";
import { type BuildOptions, type BuildResult, build } from "esbuild";
import {
  BUNDLE,
  bundleFolderOf,
  FUNCTION_NAMES,
  type FunctionName,
  PROJECT_ROOT,
} from "../infra/bundling.js";

/** The function's handler module, `lambdas/<name>.ts`, exporting `handler`. */
export function entryOf(name: FunctionName): string {
  return join(PROJECT_ROOT, "lambdas", `${name}.ts`);
}

/** BUNDLE as esbuild build options. */
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

/** Builds one function's bundle into `outdir` (its dist folder by default). */
export function bundleFunction(
  name: FunctionName,
  outdir: string = bundleFolderOf(name),
): Promise<BuildResult<{ metafile: true }>> {
  return build({ ...esbuildOptions(entryOf(name), outdir), metafile: true });
}

/** Every function's bundle, into dist/functions/. */
export async function bundleFunctions(): Promise<void> {
  await Promise.all(FUNCTION_NAMES.map((name) => bundleFunction(name)));
}
