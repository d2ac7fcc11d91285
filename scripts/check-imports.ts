/**
 * Fails when an import goes against the direction of docs/architecture.md, "Dependencies", when
 * a cloud-neutral folder imports a single cloud's, when production files import each other in a
 * cycle, or when a file outside the cloud folders imports
 * from one without being listed in docs/architecture.md, "Adding a cloud". Run by `npm run lint`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLOUDS } from "../lib/inventory/model.js";
import {
  addingACloudProblems,
  cloudNeutralProblems,
  directionProblems,
  importCycles,
} from "./import-direction.js";
import { repositoryImports } from "./repository-imports.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

const { edges } = await repositoryImports(ROOT);
const architecture = readFileSync(join(ROOT, "docs", "architecture.md"), "utf8");
const messages = [
  ...directionProblems(edges),
  ...cloudNeutralProblems(edges, CLOUDS),
  ...importCycles(edges).map((cycle) => `import cycle: ${cycle.join(" → ")}`),
  ...addingACloudProblems(edges, CLOUDS, architecture, (path) => existsSync(join(ROOT, path))),
];
for (const message of messages) console.error(message);
if (messages.length > 0) process.exitCode = 1;
