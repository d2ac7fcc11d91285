import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import {
  bundleTargets,
  COLD_IMPORT_LIMIT_MS,
  renderBundles,
  runBundles,
} from "../../bench/sections/bundles.js";
import { BUNDLE } from "../../infra/bundling.js";

const directories: string[] = [];
afterAll(async () => Promise.all(directories.map((dir) => rm(dir, { recursive: true, force: true }))));

describe("bench section bundles", () => {
  it("builds, sizes and cold-imports each function, and applies the target only without the GCP client", async () => {
    const result = await runBundles({ runs: 2, functions: ["aws-events", "reconciler"] });
    expect(result.runs).toBe(2);
    expect(result.options).toEqual(BUNDLE);
    const [ingest, reconciler] = result.functions;
    for (const figure of result.functions) {
      expect(figure.error).toBeUndefined();
      expect(figure.bytes).toBeGreaterThan(10_000);
      expect(figure.kib).toBe(Math.round(figure.bytes / 1024));
      expect(figure.sourceMapKib).toBeGreaterThan(0);
      expect(figure.coldImport?.samplesMs).toHaveLength(2);
      expect(figure.coldImport?.medianMs).toBeGreaterThan(0);
    }
    expect(ingest).toMatchObject({ name: "aws-events", gcpClient: false });
    expect(ingest?.targetMet).toBe((ingest?.coldImport?.medianMs ?? Infinity) <= COLD_IMPORT_LIMIT_MS);
    expect(reconciler).toMatchObject({ name: "reconciler", gcpClient: true, targetMet: null });

    const table = renderBundles(result);
    expect(table).toMatch(/function\s+bundle KiB\s+map KiB\s+GCP client\s+build ms\s+cold import ms/);
    expect(table).toMatch(/aws-events\s+\d+\s+\d+\s+no\s+\d+/);
    expect(table).toMatch(/reconciler\s+\d+\s+\d+\s+yes\s+\d+/);
    const { lines } = bundleTargets(result);
    expect(lines).toEqual([
      expect.stringMatching(
        /^cold import ≤ 300 ms without the GCP client, aws-events: [\d.]+ ms (met|NOT MET)$/,
      ),
      expect.stringMatching(/, reconciler: [\d.]+ ms n\/a \(GCP client\)$/),
    ]);
  }, 120_000);

  it("runs from npm run bench -- --only bundles, printing its table and writing its figures as JSON", async () => {
    const dir = await mkdtemp(join(tmpdir(), "segsync-bench-"));
    directories.push(dir);
    const out = join(dir, "bench.json");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "bench/run.ts", "--only", "bundles", "--quick", "--out", out],
      { cwd: join(import.meta.dirname, "../.."), timeout: 180_000 },
    );
    expect(stdout).toMatch(/^bundles: each function as deployed/m);
    expect(stdout).not.toMatch(/workloads\s+rules/);
    expect(stdout).toMatch(/targets:\ncold import ≤ 300 ms/);
    const results = JSON.parse(await readFile(out, "utf8"));
    expect(results.cells).toEqual([]);
    expect(results.bundles.functions.map((figure: { name: string }) => figure.name)).toEqual([
      "aws-events",
      "azure-events",
      "gcp-events",
      "reconciler",
    ]);
    expect(results.bundles.runs).toBe(5);
  }, 180_000);
});
