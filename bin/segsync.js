#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx segsync` works without a build step.
import { register } from "tsx/esm/api";

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

register();
const { main } = await import("../cli/main.ts");
try {
  process.exitCode = await main(process.argv);
} catch (error) {
  if (isClosedPipe(error)) endQuietly();
  throw error;
}
