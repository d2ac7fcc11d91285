import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { apply } from "../../cli/commands/plan.js";
import type { CliIo } from "../../cli/io.js";
import { main } from "../../cli/main.js";
import { type ProgressTerminal, progressLine, progressReporter } from "../../cli/progress.js";
import type { Cloud } from "../../lib/inventory/model.js";
import { loadPolicyFile } from "../../lib/policy/load.js";
import type { ApplyProgress } from "../../lib/reconcile/reconciler.js";
import { loadEstateFile } from "../../sim/estate.js";
import { Simulation } from "../../sim/simulation.js";
import { REPO_ROOT } from "../policy/fixtures.js";

const POLICY = "examples/policy.yaml";
const ESTATE = "examples/estate.yaml";

/** A terminal (or a pipe) that keeps every write. */
function fakeTerminal(isTTY: boolean, columns = 100): ProgressTerminal & { readonly writes: string[] } {
  const writes: string[] = [];
  return { isTTY, columns, writes, write: (text: string) => writes.push(text) };
}

function fakeClock(start = 1_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

function capture(): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => out.push(t), err: (t) => err.push(t) }, out, err };
}

describe("the progress bar", () => {
  it("redraws one line with \\r on a terminal, at most every redrawMs, and ends it with a newline", () => {
    const terminal = fakeTerminal(true);
    const clock = fakeClock();
    const bar = progressReporter(terminal, { aws: 20, gcp: 4 }, { now: clock.now, redrawMs: 100 });
    bar.onProgress({ cloud: "aws", done: 1, total: 20 });
    clock.advance(50);
    bar.onProgress({ cloud: "aws", done: 2, total: 20 }); // too soon: skipped
    clock.advance(60);
    bar.onProgress({ cloud: "gcp", done: 1, total: 4 });
    clock.advance(1_000);
    bar.finish();
    bar.onProgress({ cloud: "aws", done: 3, total: 20 }); // after finish: nothing

    expect(terminal.writes).toEqual([
      "\rapplying  AWS 1/20  GCP 0/4  [#-----------------------]  1/24  0.0s",
      "\rapplying  AWS 2/20  GCP 1/4  [###---------------------]  3/24  0.1s",
      "\rapplying  AWS 2/20  GCP 1/4  [###---------------------]  3/24  1.1s",
      "\n",
    ]);
  });

  it("always draws the last operation, whatever the time since the last redraw", () => {
    const terminal = fakeTerminal(true);
    const clock = fakeClock();
    const bar = progressReporter(terminal, { azure: 21 }, { now: clock.now, redrawMs: 100 });
    for (let done = 1; done <= 21; done += 1) bar.onProgress({ cloud: "azure", done, total: 21 });
    expect(terminal.writes).toEqual([
      "\rapplying  Azure 1/21  [#-----------------------]  1/21  0.0s",
      "\rapplying  Azure 21/21  [########################]  21/21  0.0s",
    ]);
  });

  it("keeps within the terminal's width: the overall count only, cut if need be", () => {
    const wide = progressLine(
      new Map<Cloud, { done: number; total: number }>([
        ["aws", { done: 5, total: 10 }],
        ["azure", { done: 0, total: 10 }],
      ]),
      2_500,
      79,
    );
    expect(wide).toBe("applying  AWS 5/10  Azure 0/10  [######------------------]  5/20  2.5s");
    const counts = new Map<Cloud, { done: number; total: number }>([["aws", { done: 5, total: 10 }]]);
    expect(progressLine(counts, 0, 40)).toBe("[############------------]  5/10  0.0s");
    expect(progressLine(counts, 0, 10)).toBe("[#########");

    const terminal = fakeTerminal(true, 41);
    progressReporter(terminal, { aws: 30 }).finish();
    expect(terminal.writes[0]?.length).toBeLessThanOrEqual(41); // \r and 40 columns
    // A pseudo-terminal that reports no size (0 columns) gets 80.
    const sizeless = fakeTerminal(true, 0);
    progressReporter(sizeless, { aws: 30 }).finish();
    expect(sizeless.writes[0]).toMatch(/^\rapplying {2}AWS 0\/30 {2}\[-{24}\] {2}0\/30 {2}\d+\.\ds$/);
  });

  it("pads a shorter line over a longer one, so that nothing of the old one is left", () => {
    const terminal = fakeTerminal(true);
    const clock = fakeClock();
    const bar = progressReporter(terminal, { aws: 100 }, { now: clock.now, redrawMs: 0 });
    bar.onProgress({ cloud: "aws", done: 10, total: 100 });
    bar.onProgress({ cloud: "aws", done: 9, total: 9 }); // the apply re-planned fewer
    const [longer, shorter] = terminal.writes;
    expect(shorter?.length).toBe(longer?.length);
    expect(shorter).toMatch(/9\/9 {2}0\.0s {2,}$/);
  });

  it("writes nothing when the stream is not a terminal, or for a short apply", () => {
    for (const [terminal, planned] of [
      [fakeTerminal(false), { aws: 500 }],
      [fakeTerminal(true), { aws: 10, azure: 10 }],
    ] as const) {
      const bar = progressReporter(terminal, planned);
      bar.onProgress({ cloud: "aws", done: 1, total: 10 });
      bar.finish();
      expect(terminal.writes).toEqual([]);
    }
    const none = progressReporter(undefined, { aws: 500 });
    expect(() => none.finish()).not.toThrow();
  });
});

describe("progress of an apply", () => {
  it("is reported once per applied operation, each cloud's done growing to its total", async () => {
    const [policy, estate] = await Promise.all([
      loadPolicyFile(join(REPO_ROOT, POLICY)),
      loadEstateFile(join(REPO_ROOT, ESTATE)),
    ]);
    if (!policy.ok || !estate.ok) throw new Error("the examples do not load");
    const simulation = Simulation.start(policy.policy, estate.estate);
    const seen: ApplyProgress[] = [];
    const result = await simulation.fullSync({ onProgress: (progress) => seen.push(progress) });

    const applied = Object.values(result.applied).reduce((sum, n) => sum + (n ?? 0), 0);
    expect(applied).toBeGreaterThan(20);
    expect(seen).toHaveLength(applied);
    expect(seen).toHaveLength(simulation.audit.records.length);
    for (const cloud of ["aws", "azure", "gcp"] as const) {
      const total = result.plan[cloud]?.operations.length ?? 0;
      const mine = seen.filter((p) => p.cloud === cloud);
      expect(mine.map((p) => p.done)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(mine.every((p) => p.total === total)).toBe(true);
    }
    // A dry run applies nothing, so it reports nothing.
    const dry: ApplyProgress[] = [];
    await Simulation.start(policy.policy, estate.estate).fullSync({
      dryRun: true,
      onProgress: (p) => dry.push(p),
    });
    expect(dry).toEqual([]);
  });

  it("draws on apply's terminal and leaves stdout as it is without one", async () => {
    const options = { policy: join(REPO_ROOT, POLICY), estate: join(REPO_ROOT, ESTATE), yes: true };
    const terminal = fakeTerminal(true);
    const withBar = capture();
    expect(await apply(options, withBar.io, terminal)).toBe(0);
    expect(terminal.writes.at(-1)).toBe("\n");
    expect(terminal.writes.at(-2)).toMatch(
      /^\rapplying {2}AWS 21\/21 {2}Azure 7\/7 {2}GCP 7\/7 {2}\[#{24}\] {2}35\/35 {2}\d+\.\ds$/,
    );
    expect(terminal.writes.slice(0, -1).every((w) => w.startsWith("\r") && !w.includes("\n"))).toBe(true);

    const without = capture();
    expect(await apply(options, without.io)).toBe(0);
    expect(withBar.out).toEqual(without.out);
    expect(withBar.err).toEqual([]);
  });

  it("is drawn on the terminal that main is given", async () => {
    const files = ["--policy", join(REPO_ROOT, POLICY), "--estate", join(REPO_ROOT, ESTATE)];
    const argv = ["node", "segsync", "apply", ...files, "--yes"];
    const terminal = fakeTerminal(true);
    expect(await main(argv, capture().io, terminal)).toBe(0);
    expect(terminal.writes.at(-1)).toBe("\n");
  });
});
