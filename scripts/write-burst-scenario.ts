/** Writes examples/scenarios/burst-200-launches.yaml (a test fails when the committed file is stale). */
import { writeFile } from "node:fs/promises";
import { burstScenarioText } from "./burst-scenario.js";

const target = new URL("../examples/scenarios/burst-200-launches.yaml", import.meta.url);
await writeFile(target, burstScenarioText());
console.log(`wrote ${target.pathname}`);
