import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const directories: string[] = [];
afterAll(async () => Promise.all(directories.map((dir) => rm(dir, { recursive: true, force: true }))));

/** The small cell the cloud sections are run on: 400 workloads, 50 rules, 30 changes. */
const CLOUD_CELL = ["--sizes", "400", "--rules", "50", "--changes", "30"];

/** Runs `npm run bench -- <args>` writing its JSON to a temporary file; its output and that JSON. */
async function bench(args: readonly string[]) {
  const dir = await mkdtemp(join(tmpdir(), "segsync-bench-"));
  directories.push(dir);
  const out = join(dir, "bench.json");
  const { stdout } = await run(process.execPath, ["--import", "tsx", "bench/run.ts", ...args, "--out", out], {
    cwd: join(import.meta.dirname, "../.."),
    timeout: 60_000,
  });
  return { stdout, results: JSON.parse(await readFile(out, "utf8")) };
}

/** A cloud section's result whose writes can be trusted: converged, applied, measured against a minimal that holds. */
function expectSoundWrites(
  section: { materialize: { medianMs: number }; writes: Record<string, unknown> },
  changes: number,
): void {
  expect(section.materialize.medianMs).toBeGreaterThan(0);
  expect(section.writes).toMatchObject({
    measured: changes,
    initial: expect.objectContaining({ converged: true }),
    notConverged: 0,
    beforeMismatches: 0,
    applyFailures: 0,
    changesUnderMinimal: 0,
  });
  expect(section.writes.ratioMedian).toBeGreaterThanOrEqual(1);
}

describe("npm run bench", () => {
  it("prints its table and writes every cell's figures as JSON", async () => {
    // Every per-cell section; bundles and burst (once per run) have tests of their own.
    const cellSections = "compile,incremental,aws,azure,gcp";
    const { stdout, results } = await bench([
      ...["--only", cellSections, "--sizes", "400", "--rules", "20", "--changes", "30"],
    ]);
    expect(stdout).toMatch(/workloads\s+rules\s+identities\s+destinations\s+peer sets\s+compile ms/);
    expect(stdout).toMatch(/^\s+400\s+20\s+\d+/m);
    expect(results.failures).toEqual([]);
    const [cell] = results.cells;
    expect(cell.spec).toMatchObject({ workloads: 400, rules: 20 });
    expect(cell.estate.rules).toBe(20);
    expect(cell.sections.compile.medianMs).toBeGreaterThan(0);
    expect(cell.sections.incremental.changes).toBe(30);
    expect(cell.sections.incremental.snapshotMatchesFullCompile).toBe(true);
    expect(cell.memory.peakRssMiB).toBeGreaterThan(0);
  });

  it("--only aws prints the aws table and the writes-per-change ratio against its target", async () => {
    const { stdout, results } = await bench(["--only", "aws", ...CLOUD_CELL]);
    expect(stdout).toMatch(/workloads\s+rules\s+instances\s+SGs\s+SG rules\s+PLs\s+ENIs\s+plan ops/);
    expect(stdout).toMatch(/^\s+400\s+50\s+\d+\s+\d+.*sim×30\s+\d+ \([\d.]+\)\s+\d\.\d\d\s+\d\.\d\d/m);
    expect(stdout).toMatch(
      /writes per single-workload change \/ minimal = 1\.00 at .*400×50: \d\.\d\d (met|NOT MET)/,
    );
    expect(results.failures).toEqual([]);
    const aws = results.cells[0].sections.aws;
    expect(aws.counts.securityGroups).toBeGreaterThan(0);
    expectSoundWrites(aws, 30);
    expect(results.targets).toEqual([
      expect.objectContaining({ section: "aws", unit: "ratio", limit: 1, status: expect.any(String) }),
    ]);
  });

  it("--only azure,gcp prints a table for each and the writes-per-change ratio of each against its target", async () => {
    const { stdout, results } = await bench(["--only", "azure,gcp", ...CLOUD_CELL]);
    expect(stdout).toMatch(/^azure: /m);
    expect(stdout).toMatch(/workloads\s+rules\s+VMs\s+NSGs\s+NSG rules\s+ASGs\s+NICs\s+plan ops/);
    expect(stdout).toMatch(/^gcp: /m);
    expect(stdout).toMatch(/workloads\s+rules\s+instances\s+firewalls\s+ranges\s+tagged\s+plan ops/);
    const rows = stdout.match(/^\s+400\s+50\s+\d+\s+\d+.*sim×30\s+\d+ \([\d.]+\)\s+\d\.\d\d\s+\d\.\d\d/gm);
    expect(rows).toHaveLength(2);
    for (const cloud of ["azure", "gcp"]) {
      expect(stdout).toMatch(
        new RegExp(`minimal = 1\\.00 at every ${cloud} cell .*400×50: \\d\\.\\d\\d (met|NOT MET)`),
      );
    }
    expect(results.failures).toEqual([]);
    for (const cloud of ["azure", "gcp"]) {
      const section = results.cells[0].sections[cloud];
      expect(section.instances).toBeGreaterThan(0);
      expect(section.counts.planOperations).toBeGreaterThan(0);
      expectSoundWrites(section, 30);
    }
    expect(results.targets).toEqual([
      expect.objectContaining({ section: "azure", unit: "ratio", limit: 1, status: expect.any(String) }),
      expect.objectContaining({ section: "gcp", unit: "ratio", limit: 1, status: expect.any(String) }),
    ]);
  });

  it("--only simulate: the simulated full sync's own table, a second sync that changes nothing, and its targets", async () => {
    const { stdout, results } = await bench(["--only", "simulate", "--sizes", "400", "--rules", "20"]);
    expect(stdout).toMatch(/^simulate: /m);
    expect(stdout).toMatch(/aws\/azure\/gcp\s+load ms\s+start ms\s+full sync ms\s+total ms/);
    expect(results.failures).toEqual([]);
    const simulate = results.cells[0].sections.simulate;
    const { aws, azure, gcp } = simulate.workloads;
    expect(aws + azure + gcp).toBe(400);
    expect(simulate.operations).toBeGreaterThan(0);
    expect(simulate.resyncOperations).toBe(0);
    expect(simulate.failures).toBe(0);
    for (const cloud of ["aws", "azure", "gcp"]) expect(simulate.calls[cloud].reads).toBeGreaterThan(0);
    expect(simulate.totalMs).toBeCloseTo(simulate.loadMs + simulate.startMs + simulate.fullSyncMs, 1);
    expect(simulate.peakRssMiB).toBeGreaterThan(simulate.rssBeforeMiB);
    expect(results.targets.map((t: { label: string; status: string }) => [t.label, t.status])).toEqual([
      ["simulated initial full sync ≤ 10 s", "not measured"],
      ["simulated initial full sync ≤ 60 s", "not measured"],
      ["simulated initial full sync peak RSS ≤ 2 GiB", "not measured"],
    ]);
  });
});
