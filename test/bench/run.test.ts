import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const directories: string[] = [];
afterAll(async () => Promise.all(directories.map((dir) => rm(dir, { recursive: true, force: true }))));

describe("npm run bench", () => {
  it("prints its table and writes every cell's figures as JSON", async () => {
    const dir = await mkdtemp(join(tmpdir(), "segsync-bench-"));
    directories.push(dir);
    const out = join(dir, "bench.json");
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", "bench/run.ts", "--sizes", "400", "--rules", "20", "--changes", "30", "--out", out],
      { cwd: join(import.meta.dirname, "../.."), timeout: 60_000 },
    );
    expect(stdout).toMatch(/workloads\s+rules\s+identities\s+destinations\s+peer sets\s+compile ms/);
    expect(stdout).toMatch(/^\s+400\s+20\s+\d+/m);
    const results = JSON.parse(await readFile(out, "utf8"));
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
    const dir = await mkdtemp(join(tmpdir(), "segsync-bench-"));
    directories.push(dir);
    const out = join(dir, "bench.json");
    const { stdout } = await run(
      process.execPath,
      [
        "--import",
        "tsx",
        "bench/run.ts",
        "--only",
        "aws",
        "--sizes",
        "400",
        "--rules",
        "50",
        "--changes",
        "30",
        "--out",
        out,
      ],
      { cwd: join(import.meta.dirname, "../.."), timeout: 60_000 },
    );
    expect(stdout).toMatch(/workloads\s+rules\s+instances\s+SGs\s+SG rules\s+PLs\s+ENIs\s+plan ops/);
    expect(stdout).toMatch(/^\s+400\s+50\s+\d+\s+\d+.*sim×30\s+\d+ \([\d.]+\)\s+\d\.\d\d\s+\d\.\d\d/m);
    expect(stdout).toMatch(
      /writes per single-workload change \/ minimal = 1\.00 at .*400×50: \d\.\d\d (met|NOT MET)/,
    );
    const results = JSON.parse(await readFile(out, "utf8"));
    expect(results.failures).toEqual([]);
    const aws = results.cells[0].sections.aws;
    expect(aws.counts.securityGroups).toBeGreaterThan(0);
    expect(aws.materialize.medianMs).toBeGreaterThan(0);
    expect(aws.writes.measured).toBe(30);
    expect(aws.writes.initial.converged).toBe(true);
    expect(aws.writes.notConverged).toBe(0);
    expect(aws.writes.applyFailures).toBe(0);
    expect(aws.writes.ratioMedian).toBeGreaterThanOrEqual(1);
    expect(results.targets).toEqual([
      expect.objectContaining({ section: "aws", unit: "ratio", limit: 1, status: expect.any(String) }),
    ]);
  });
});
