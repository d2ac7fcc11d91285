#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx segsync` works without a build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../lib/cli/main.ts");
process.exitCode = await main(process.argv);
