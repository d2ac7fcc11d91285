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
});
