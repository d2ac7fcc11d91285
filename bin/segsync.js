#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx segsync` works without a build step.
import { register } from "tsx/esm/api";

// The AWS SDK prints a multi-line notice on every run under Node 20; segsync supports Node 20
// (README), so the notice says nothing a user of this command can act on.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
register();
const { main } = await import("../lib/cli/main.ts");
process.exitCode = await main(process.argv);
