import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BATCH_EVENTS, type BurstResult, loadExamples, runBurst } from "../../bench/burst/run-burst.js";
import { burstLaunches, MAX_BURST_LAUNCHES } from "../../bench/burst/scenario.js";
import { burstSection, QUICK_BURST_LAUNCHES } from "../../bench/sections/burst.js";
import { cidrContains } from "../../lib/net/cidr.js";
import { checkScenarioDocument } from "../../sim/scenario.js";

const ROOT = join(import.meta.dirname, "../..");

describe("the burst's launches", () => {
  it("go round-robin to the three clouds with unique ids and addresses inside their networks, and all happen on the example estate", async () => {
    const { estate } = await loadExamples();
    const steps = burstLaunches(1000);
    const launches = steps.flatMap((step) => ("launch" in step ? [step.launch] : []));
    expect(launches).toHaveLength(1000);
    expect(launches.slice(0, 6).map((l) => l.id.split(":")[0])).toEqual([
      "aws",
      "azure",
      "gcp",
      "aws",
      "azure",
      "gcp",
    ]);
    expect(new Set(launches.map((l) => l.id)).size).toBe(1000);
    expect(new Set(launches.map((l) => `${l.network} ${l.privateIp}`)).size).toBe(1000);
    const cidrs = new Map(estate.networks.map((n) => [n.id, n.cidr]));
    for (const l of launches)
      expect(cidrContains(cidrs.get(l.network) ?? "", l.privateIp), l.privateIp).toBe(true);
    const check = checkScenarioDocument({ apiVersion: "segsync/v1", kind: "Scenario", steps }, estate);
    expect(check.ok ? [] : check.issues.slice(0, 3)).toEqual([]);
  });

  it("are 1 to MAX_BURST_LAUNCHES", () => {
    expect(() => burstLaunches(0)).toThrow(RangeError);
    expect(() => burstLaunches(MAX_BURST_LAUNCHES + 1)).toThrow(RangeError);
  });
});

describe("runBurst on 30 launches", () => {
  let result: BurstResult;
  beforeAll(async () => {
    result = await runBurst(30);
  }, 60_000);

  it("reports every run over the same events, converged", () => {
    expect(result.launches).toBe(30);
    expect(result.launchesByCloud).toEqual({ aws: 10, azure: 10, gcp: 10 });
    expect(result.batchEvents).toBe(BATCH_EVENTS);
    // AWS sends pending and running, Azure one write, GCP one operation (only its last entry counts).
    expect(result.paced.events).toBe(10 * 2 + 10 + 10);
    for (const run of [result.drain, result.queued, result.queuedUncoalesced]) {
      expect(run.events).toBe(result.paced.events);
      expect(run.converged).toBe(true);
    }
    expect(result.paced.converged).toBe(true);
  });

  it("reconciles every BATCH_EVENTS events when paced and queued, once when drained", () => {
    expect(result.drain.reconciles).toBe(1);
    expect(result.paced.reconciles).toBeGreaterThanOrEqual(
      Math.floor(result.paced.events / (BATCH_EVENTS + 1)),
    );
    expect(result.paced.reconciles).toBeLessThanOrEqual(Math.ceil(result.paced.events / BATCH_EVENTS));
    expect(result.queued.reconciles).toBe(Math.ceil(result.queued.events / BATCH_EVENTS));
    expect(result.queuedUncoalesced.reconciles).toBe(result.queued.reconciles);
  });

  it("writes the single plan in one drain, at least the distinct objects in every run, fewer when coalesced", () => {
    expect(result.minimalWrites).toBeGreaterThan(0);
    expect(result.minimalObjects).toBeGreaterThan(0);
    expect(result.minimalObjects).toBeLessThanOrEqual(result.minimalWrites);
    expect(result.drain.writes).toBe(result.minimalWrites);
    expect(result.drain.ratio).toBe(1);
    for (const run of [result.paced, result.queued, result.queuedUncoalesced]) {
      expect(run.writes).toBeGreaterThanOrEqual(result.minimalObjects);
      expect(run.ratio).toBeCloseTo(run.writes / result.minimalWrites, 3);
      expect(run.writeCalls).toBeGreaterThanOrEqual(run.writes);
    }
    expect(result.queued.writes).toBeLessThan(result.queuedUncoalesced.writes);
    expect(burstSection.warnings(result)).toEqual([]);
    expect(burstSection.targets(result)).toEqual([expect.stringContaining("writes issued ÷ minimal ≤ 1.10")]);
  });

  it("times per event: p95 at least the median, the drain's one figure its time ÷ its events", () => {
    expect(result.paced.msPerEventMedian).toBeGreaterThan(0);
    expect(result.paced.msPerEventP95).toBeGreaterThanOrEqual(result.paced.msPerEventMedian);
    expect(result.paced.reconcileMsP95).toBeGreaterThanOrEqual(result.paced.reconcileMsMedian);
    expect(result.drain.msPerEventMedian).toBeCloseTo(result.drain.totalMs / result.drain.events, 2);
  });

  it("warns when a figure contradicts the minimal", () => {
    const wrong = { ...result, drain: { ...result.drain, writes: result.minimalWrites + 1 } };
    expect(burstSection.warnings(wrong)).toEqual([
      `burst: one drain wrote ${result.minimalWrites + 1} operations where the single plan has ${result.minimalWrites}`,
    ]);
    const under = {
      ...result,
      queued: { ...result.queued, writes: result.minimalObjects - 1, converged: false },
    };
    expect(burstSection.warnings(under)).toEqual([
      "burst queued: did not converge: a reconcile failed or a full sync after it still planned operations",
      `burst queued: wrote ${result.minimalObjects - 1}, under the ${result.minimalObjects} objects that differ: the lower bound is wrong`,
    ]);
  });
});

describe("npm run bench -- --only burst --quick", () => {
  const directories: string[] = [];
  afterAll(async () => Promise.all(directories.map((dir) => rm(dir, { recursive: true, force: true }))));

  it("prints the burst table once (no cells) and writes the result as JSON", async () => {
    const dir = await mkdtemp(join(tmpdir(), "segsync-bench-burst-"));
    directories.push(dir);
    const out = join(dir, "bench.json");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "bench/run.ts", "--only", "burst", "--quick", "--out", out],
      { cwd: ROOT, timeout: 60_000 },
    );
    expect(stdout).toMatch(
      new RegExp(`^burst: ${QUICK_BURST_LAUNCHES} launches \\(aws \\d+, azure \\d+, gcp \\d+\\)`, "m"),
    );
    expect(stdout).toMatch(
      /reconciled\s+events\s+reconciles\s+writes\s+min writes\s+issued\/min\s+ms\/event p50\s+ms\/event p95/,
    );
    expect(stdout).toMatch(/^every 10 as they come\s+\d+\s+\d+\s+\d+\s+\d+\s+\d\.\d\d\s+[\d.]+\s+[\d.]+/m);
    expect(stdout).toMatch(/^\s*queued, 10 a batch\s+\d+\s+\d+\s+\d+\s+\d+\s+\d\.\d\d\s/m);
    expect(stdout).toMatch(
      /^burst queued 10 a batch: writes issued ÷ minimal ≤ 1\.10: \d\.\d\d (met|NOT MET)/m,
    );
    expect(stdout).toMatch(/^\s+one drain\s+\d+\s+1\s+(\d+)\s+\1\s+1\.00\s/m);
    expect(stdout).not.toMatch(/^warning:/m);
    const report = JSON.parse(await readFile(out, "utf8"));
    expect(report.cells).toEqual([]);
    expect(report.burst).toMatchObject({ launches: QUICK_BURST_LAUNCHES, batchEvents: BATCH_EVENTS });
    expect(report.burst.drain.writes).toBe(report.burst.minimalWrites);
  }, 60_000);
});
