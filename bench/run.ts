/**
 * `npm run bench`: generates seeded estates, runs every selected section in one child process
 * per (workloads, rules) cell, prints a table with the targets, and writes every figure as JSON.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { CellRequest, CellResult } from "./cell-protocol.js";
import { parseRunArgs, type RunOptions } from "./cli-options.js";
import { formatCount, formatMiB } from "./format.js";
import { machineInfo } from "./machine.js";
import { bundlesSection } from "./sections/bundles.js";
import { burstSection } from "./sections/burst.js";
import { cliStartSection } from "./sections/cli-start.js";
import { coldStartSection } from "./sections/cold-start.js";
import { flowsSection } from "./sections/flows.js";
import { selectSections } from "./sections/index.js";
import type { AnySection } from "./sections/section.js";
import { spawnCell } from "./spawn-cell.js";
import { renderTable } from "./table.js";
import { evaluateTargets, renderTargets } from "./targets.js";

interface CellFailure {
  readonly spec: CellRequest["spec"];
  readonly error: string;
}

async function runCells(options: RunOptions, sections: readonly AnySection[]) {
  const results: CellResult[] = [];
  const failures: CellFailure[] = [];
  for (const workloads of options.sizes) {
    for (const rules of options.rules) {
      const spec = { workloads, rules, seed: options.seed, changes: options.changes };
      process.stderr.write(`cell ${workloads} workloads × ${rules} rules… `);
      const started = performance.now();
      const report = await spawnCell({ spec, sections: sections.map((section) => section.name) });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stderr.write(report.ok ? `done in ${seconds} s\n` : `FAILED after ${seconds} s\n`);
      if (report.ok) results.push(report.result);
      else failures.push({ spec, error: report.error });
    }
  }
  return { results, failures };
}

/** Workloads, rules and the sections' columns; the main table also has each cell's memory peak. */
function table(
  sections: readonly AnySection[],
  results: readonly CellResult[],
  failures: readonly CellFailure[],
  withMemory: boolean,
) {
  const columns = sections.flatMap((section) =>
    section.columns.map((column) => ({ section: section.name, column })),
  );
  const memory = withMemory ? ["peak RSS MiB"] : [];
  const headers = ["workloads", "rules", ...columns.map(({ column }) => column.header), ...memory];
  const rows = [
    ...results.map((result) => [
      formatCount(result.spec.workloads),
      formatCount(result.spec.rules),
      ...columns.map(({ section, column }) => {
        const sectionResult = result.sections[section];
        return sectionResult === undefined ? "-" : column.cell(sectionResult);
      }),
      ...(withMemory ? [formatMiB(result.memory.peakRssMiB)] : []),
    ]),
    ...failures.map((failure) => [
      formatCount(failure.spec.workloads),
      formatCount(failure.spec.rules),
      ...columns.map(() => "error"),
      ...(withMemory ? ["-"] : []),
    ]),
  ];
  return renderTable(headers, rows);
}

/** Sections with a table of their own: a title, the table and how to read it. */
function ownTables(
  sections: readonly AnySection[],
  results: readonly CellResult[],
  failures: readonly CellFailure[],
) {
  return sections.map((section) =>
    [
      `${section.name}: ${section.description}`,
      "",
      table([section], results, failures, false),
      ...(section.notes.length > 0 ? ["", ...section.notes] : []),
    ].join("\n"),
  );
}

function warnings(
  sections: readonly AnySection[],
  results: readonly CellResult[],
  failures: readonly CellFailure[],
) {
  const lines: string[] = [];
  for (const result of results) {
    for (const section of sections) {
      const sectionResult = result.sections[section.name];
      if (sectionResult === undefined) continue;
      for (const warning of section.warnings(sectionResult)) {
        lines.push(`warning: ${result.spec.workloads}×${result.spec.rules} ${section.name}: ${warning}`);
      }
    }
  }
  for (const failure of failures) {
    lines.push(`error: ${failure.spec.workloads}×${failure.spec.rules}: ${failure.error}`);
  }
  return lines;
}

async function main(): Promise<number> {
  const parsed = parseRunArgs(process.argv.slice(2));
  if (!parsed.ok) {
    (parsed.help ? process.stdout : process.stderr).write(
      parsed.help ? `${parsed.message}\n` : `${parsed.message} (--help for usage)\n`,
    );
    return parsed.help ? 0 : 2;
  }
  const options = parsed.options;
  // `bundles` (the deploy artifacts), `burst` (on the examples), `cli-start` (the compiled CLI),
  // `cold-start` (against moto) and `flows` (generated flow logs) run once per run, not per cell:
  // in a full run, and with --only when named.
  const withBundles = options.only?.includes(bundlesSection.name) ?? true;
  const withBurst = options.only?.includes(burstSection.name) ?? true;
  const withCliStart = options.only?.includes(cliStartSection.name) ?? true;
  const withColdStart = options.only?.includes(coldStartSection.name) ?? true;
  const withFlows = options.only?.includes(flowsSection.name) ?? true;
  const onceSections: readonly string[] = [
    bundlesSection.name,
    burstSection.name,
    cliStartSection.name,
    coldStartSection.name,
    flowsSection.name,
  ];
  const cellSections = options.only?.filter((name) => !onceSections.includes(name));
  let sections: AnySection[];
  try {
    sections = cellSections?.length === 0 ? [] : selectSections(cellSections);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }

  const machine = machineInfo();
  const { results, failures } =
    sections.length > 0 ? await runCells(options, sections) : { results: [], failures: [] };
  const bundles = withBundles
    ? await bundlesSection.run({ runs: bundlesSection.runsFor(options.quick) })
    : undefined;
  const burst = withBurst ? await burstSection.run(burstSection.launchesFor(options.quick)) : undefined;
  const cliStart = withCliStart
    ? cliStartSection.run({ runs: cliStartSection.runsFor(options.quick) })
    : undefined;
  const coldStart = withColdStart
    ? await coldStartSection.run({ sizes: coldStartSection.sizesFor(options.quick), seed: options.seed })
    : undefined;
  const flows = withFlows ? await flowsSection.run({ quick: options.quick }) : undefined;
  const targets = evaluateTargets(sections, results);

  process.stdout.write(
    `\nsegsync bench: node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}, load ${machine.loadAverage1m.toFixed(1)}, seed ${options.seed}\n\n`,
  );
  const mainSections = sections.filter((section) => !section.ownTable);
  if (sections.length > 0) process.stdout.write(`${table(mainSections, results, failures, true)}\n\n`);
  for (const own of ownTables(
    sections.filter((section) => section.ownTable),
    results,
    failures,
  )) {
    process.stdout.write(`${own}\n\n`);
  }
  if (bundles !== undefined) process.stdout.write(`${bundlesSection.render(bundles)}\n\n`);
  if (burst !== undefined) process.stdout.write(`${burstSection.render(burst)}\n\n`);
  if (cliStart !== undefined) process.stdout.write(`${cliStartSection.render(cliStart)}\n\n`);
  if (coldStart !== undefined) process.stdout.write(`${coldStartSection.render(coldStart)}\n\n`);
  if (flows !== undefined) process.stdout.write(`${flowsSection.render(flows)}\n\n`);
  const bundleTargets = bundles === undefined ? undefined : bundlesSection.targets(bundles);
  const cliStartTargets = cliStart === undefined ? undefined : cliStartSection.targets(cliStart);
  const flowsTargets = flows === undefined ? undefined : flowsSection.targets(flows);
  const burstTargets = burst === undefined ? [] : burstSection.targets(burst);
  const targetLines = [
    ...(targets.length > 0 ? [renderTargets(targets)] : []),
    ...(bundleTargets?.lines ?? []),
    ...(cliStartTargets?.lines ?? []),
    ...(flowsTargets?.lines ?? []),
    ...burstTargets,
  ];
  process.stdout.write(`targets:\n${targetLines.join("\n")}\n`);
  const problems = [
    ...warnings(sections, results, failures),
    ...(bundleTargets?.warnings ?? []),
    ...(cliStartTargets?.warnings ?? []),
    ...(flowsTargets?.warnings ?? []),
    ...(burst === undefined ? [] : burstSection.warnings(burst).map((line) => `warning: ${line}`)),
    ...(coldStart === undefined
      ? []
      : coldStartSection.warnings(coldStart).map((line) => `warning: ${line}`)),
  ];
  if (problems.length > 0) process.stdout.write(`\n${problems.join("\n")}\n`);

  const out = resolve(options.out);
  mkdirSync(dirname(out), { recursive: true });
  const sectionInfo = sections.map((section) => ({ name: section.name, description: section.description }));
  const report = {
    machine,
    options,
    sections: sectionInfo,
    cells: results,
    failures,
    targets,
    bundles,
    burst,
    cliStart,
    coldStart,
    flows,
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nresults: ${out}\n`);
  // Measurements that miss a target are still measurements; only a cell that failed fails the run.
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
