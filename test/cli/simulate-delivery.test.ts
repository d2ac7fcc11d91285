import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { comparableState } from "../sim/comparable-state.js";
import { type CliRun, runCliAll } from "./run-cli.js";

const SCENARIO = "examples/scenarios/duplicated-reordered-events.yaml";
const ON_ESTATE = [
  "--policy",
  "examples/policy.yaml",
  "--estate",
  "examples/estate.yaml",
  "--scenario",
  SCENARIO,
];

describe("segsync simulate --delivery", () => {
  const dir = mkdtempSync(join(tmpdir(), "segsync-delivery-"));
  const out = (name: string) => join(dir, `${name}.json`);
  const commands = {
    inOrder: ["simulate", ...ON_ESTATE, "--state-out", out("in-order")],
    delivered: [
      "simulate",
      ...ON_ESTATE,
      "--state-out",
      out("delivered"),
      "--delivery",
      "duplicate,reorder",
      "--seed",
      "3",
    ],
    json: [
      "simulate",
      ...ON_ESTATE,
      "--state-out",
      out("json"),
      "--delivery",
      "duplicate=0.5,reorder=1",
      "--json",
    ],
    seedAlone: ["simulate", ...ON_ESTATE, "--state-out", out("never-1"), "--seed", "3"],
    unknownMode: ["simulate", ...ON_ESTATE, "--state-out", out("never-2"), "--delivery", "shuffle"],
  } as const;
  const names = Object.keys(commands) as (keyof typeof commands)[];
  let runs: CliRun[];
  const run = (name: keyof typeof commands): CliRun => {
    const result = runs[names.indexOf(name)];
    if (!result) throw new Error(`${name} did not run`);
    return result;
  };
  beforeAll(async () => {
    runs = await runCliAll(names.map((name) => commands[name]));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("tells what each reconcile was delivered and the delivery's totals, and ends as the in-order run", () => {
    const result = run("delivered");
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^ {2}\d+ event\(s\) delivered to this reconcile, in this order:$/m);
    expect(result.stdout).toMatch(/^ {4}\S+ \((aws|azure|gcp)\): state \w+ \(delivered again\)$/m);
    const totals =
      /^Delivery \(seed 3\): (\d+) event\(s\) sent, (\d+) delivered: (\d+) again after the queue's 5-minute deduplication window, (\d+) held back to a later reconcile\.$/m.exec(
        result.stdout,
      );
    const [sent, delivered, again, heldBack] = (totals?.slice(1) ?? []).map(Number);
    expect(again).toBeGreaterThan(0);
    expect(heldBack).toBeGreaterThan(0);
    expect(delivered).toBe((sent ?? 0) + (again ?? 0));
    expect(result.stdout.match(/ \(delivered again\)$/gm)).toHaveLength(again ?? -1);
    const state = (name: string) => comparableState(JSON.parse(readFileSync(out(name), "utf8")));
    expect(state("delivered")).toEqual(state("in-order"));
  });

  it("without --delivery, prints neither deliveries nor totals", () => {
    const result = run("inOrder");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toContain("delivered to this reconcile");
    expect(result.stdout).not.toMatch(/^Delivery/m);
  });

  it("--json adds the delivery's options and totals, and the events each reconcile drained", () => {
    const result = run("json");
    expect(result.exitCode).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed.delivery.options).toEqual({ seed: 1, duplicates: 0.5, reorder: { window: 1 } });
    const drained = printed.steps.flatMap((s: { drained?: unknown[] }) => s.drained ?? []);
    expect(printed.delivery.stats).toMatchObject({ delivered: drained.length, inFlight: 0 });
    expect(printed.delivery.stats.redelivered).toBeGreaterThan(0);
  });

  it("refuses --seed without --delivery, and an unknown mode, before running anything", () => {
    expect(run("seedAlone")).toMatchObject({
      exitCode: 1,
      stdout: "",
      stderr: "segsync simulate: --seed seeds the delivery model: it needs --delivery\n",
    });
    expect(run("unknownMode")).toMatchObject({
      exitCode: 1,
      stdout: "",
      stderr:
        'segsync simulate: --delivery shuffle: "shuffle" is unknown (expected duplicate[=RATE],reorder[=WINDOW])\n',
    });
  });
});
