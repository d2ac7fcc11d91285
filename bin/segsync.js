#!/usr/bin/env node
// Runs the bundled CLI (dist/cli-bundle/, built by `npm run build`, which `npm ci` and `npm pack` run).
import { existsSync } from "node:fs";

// The AWS SDK prints a multi-line notice on every run under Node 20; segsync supports Node 20
// (README), so the notice says nothing a user of this command can act on.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** A reader that went away (`segsync … | head`) ends the run quietly, as other commands do. */
const isClosedPipe = (error) => error?.code === "EPIPE";
const endQuietly = () => process.exit(process.exitCode ?? 0);
process.stdout.on("error", (error) => {
  if (isClosedPipe(error)) endQuietly();
  else throw error;
});

const compiled = new URL("../dist/cli-bundle/main.js", import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write(
    "segsync: the CLI is not built (no dist/cli-bundle/main.js); run `npm run build` in segsync's folder\n",
  );
  process.exit(1);
}
const { main } = await import(compiled.href);
try {
  process.exitCode = await main(process.argv);
} catch (error) {
  if (isClosedPipe(error)) endQuietly();
  throw error;
}
