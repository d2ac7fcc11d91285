/**
 * Bundles the command line into `dist/cli-bundle/` (main.js and the chunks of the commands, which
 * it imports when they run): one file to read at start instead of a few hundred modules of
 * dist/, zod's and commander's, which is most of a short command's time (docs/package.md, "CLI
 * start"). The cloud SDKs and the graph layout stay packages of node_modules, imported by the
 * commands that use them. Run by `npm run build` (scripts/build.ts).
 */
import { join } from "node:path";
import { build } from "esbuild";
import { ESM_BANNER, PROJECT_ROOT } from "../infra/bundling.js";

/** Where bin/segsync.js finds the CLI. */
export const CLI_BUNDLE_FOLDER = join(PROJECT_ROOT, "dist", "cli-bundle");

/** Loaded on first use by the commands that reach a cloud or lay out a graph; large, and some read files beside them. */
const LEFT_IN_NODE_MODULES = [
  "@aws-sdk/*",
  "@smithy/*",
  "@azure/*",
  "@google-cloud/*",
  "google-auth-library",
  "elkjs",
  "@aws-lambda-powertools/*",
];

export async function bundleCli(): Promise<void> {
  await build({
    entryPoints: [join(PROJECT_ROOT, "cli", "main.ts")],
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outdir: CLI_BUNDLE_FOLDER,
    external: LEFT_IN_NODE_MODULES,
    // commander is CommonJS: its require() of node's modules needs one in ESM.
    banner: { js: ESM_BANNER },
    // Errors are shown by their class name (`AwsApiError: …`): a bundle renames classes whose
    // names collide in its scope unless told to keep them.
    keepNames: true,
    absWorkingDir: PROJECT_ROOT,
    logLevel: "silent",
  });
}
