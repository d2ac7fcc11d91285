/**
 * The randomized convergence campaign (docs/scenarios.md, "The randomized campaign"):
 * `npm run fuzz -- --seeds N --time T` runs seeds from --from (default 1) until N have run or T
 * seconds have passed, shrinks each failing case to a minimal named scenario, and writes every
 * failure (seed, problems, shrunk case) to --out (default fuzz-failures.json). Exit code 1 when a
 * seed failed. --additive adds additive-mode cases (CI leaves them out), --shared-vpc GCP Shared
 * VPC service projects, --watch-initial-sync the flows of the initial full sync (CI runs both).
 */
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { generateCase } from "../test/fuzz/generate.js";
import { runCase } from "../test/fuzz/run-case.js";
import { shrink } from "../test/fuzz/shrink.js";

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "1000" },
    from: { type: "string", default: "1" },
    time: { type: "string", default: "600" },
    out: { type: "string", default: "fuzz-failures.json" },
    additive: { type: "boolean", default: false },
    "shared-vpc": { type: "boolean", default: false },
    "no-shrink": { type: "boolean", default: false },
    "watch-initial-sync": { type: "boolean", default: false },
  },
});

function count(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new RangeError(`--${name} takes a whole number, not ${text}`);
  return value;
}

const seeds = count("seeds", values.seeds);
const first = count("from", values.from);
const deadline = Date.now() + count("time", values.time) * 1000;
const options = { additive: values.additive, sharedVpc: values["shared-vpc"] };
const run = { watchInitialSync: values["watch-initial-sync"] };

const failures = [];
let seedsRun = 0;
const started = Date.now();
for (let seed = first; seed < first + seeds && Date.now() < deadline; seed++) {
  const fuzz = generateCase(seed, options);
  const outcome = await runCase(fuzz, run);
  seedsRun++;
  const problems = outcome.problems.filter((problem) => problem.kind !== "invalid-case");
  const kind = problems[0]?.kind;
  if (kind === undefined) continue;
  const shrunk = values["no-shrink"] ? undefined : await shrink(fuzz, kind, { run });
  console.log(`seed ${seed}: ${shrunk?.name ?? kind}`);
  failures.push({ seed, problems: problems.slice(0, 10), problemCount: problems.length, shrunk, case: fuzz });
}
const report = {
  options: { ...options, ...run },
  firstSeed: first,
  seedsRun,
  seconds: Math.round((Date.now() - started) / 1000),
  failed: failures.length,
  failures,
};
await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `${seedsRun} seeds from ${first} in ${report.seconds} s: ${failures.length} failed (${values.out})`,
);
process.exitCode = failures.length > 0 ? 1 : 0;
