/**
 * `--only cold-start`: the reconciler function's cold start at scale, against moto's DynamoDB
 * (bench/cold-start/): the table filled with a generated estate's items, then the path to the
 * first reconcile timed by a full read of the table and through the compact inventory snapshot
 * (docs/architecture.md, "Cold start"). Not a per-cell section: it runs once per run, at 1,000 and
 * 10,000 workloads (filling moto with 100,000 items takes longer than the rest of the bench), and
 * the 100,000 row is a linear extrapolation from the largest size measured, printed as such.
 */

import { DEFAULT_CHUNK_BYTES } from "../../lib/inventory/snapshot-keeper.js";
import { resolvePolicyDocument } from "../../lib/policy/load.js";
import { createInventoryTable } from "../../test/support/dynamodb-table.js";
import { motoAvailable, startMotoServer } from "../../test/support/moto-server.js";
import { type ColdPath, type ColdStartFigures, measureColdStart } from "../cold-start/measure-cold-start.js";
import { motoClient } from "../cold-start/table.js";
import { generateEstate } from "../estate-generator.js";
import { formatCount, formatMs } from "../format.js";
import { renderTable } from "../table.js";

export const COLD_START_SIZES = [1_000, 10_000] as const;
export const QUICK_COLD_START_SIZES = [1_000, 2_000] as const;
const EXTRAPOLATED_TO = 100_000;
const RULES = 100;

export interface ColdStartResult {
  /** Why nothing was measured (moto_server missing), or null. */
  readonly skipped: string | null;
  readonly rules: number;
  readonly measured: readonly ColdStartFigures[];
  /** Per path, the largest measured size's figures × (100,000 ÷ its workloads). */
  readonly extrapolated: {
    readonly workloads: number;
    readonly from: number;
    readonly fullRead: ExtrapolatedPath;
    readonly snapshot: ExtrapolatedPath & { readonly chunks: number };
  } | null;
}

export interface ExtrapolatedPath {
  readonly callsMs: number;
  readonly decodeMs: number;
  readonly storeReadMs: number;
  readonly buildMs: number;
  readonly readyMs: number;
}

function scaled(path: ColdPath, factor: number): ExtrapolatedPath {
  return {
    callsMs: path.calls.medianMs * factor,
    decodeMs: path.decode.medianMs * factor,
    storeReadMs: path.storeRead.medianMs * factor,
    buildMs: path.build.medianMs * factor,
    readyMs: path.readyMs * factor,
  };
}

export async function runColdStart(options: {
  sizes: readonly number[];
  seed: number;
}): Promise<ColdStartResult> {
  if (!motoAvailable()) {
    return {
      skipped: "moto_server is not on PATH (pip install 'moto[server]')",
      rules: RULES,
      measured: [],
      extrapolated: null,
    };
  }
  const moto = await startMotoServer();
  const client = motoClient(moto.endpoint);
  const measured: ColdStartFigures[] = [];
  try {
    for (const workloads of options.sizes) {
      const { inventory, policyDocument } = generateEstate({ workloads, rules: RULES, seed: options.seed });
      const resolved = resolvePolicyDocument(policyDocument);
      if (!resolved.ok) throw new Error(`the generated policy for ${workloads} workloads does not resolve`);
      const table = await createInventoryTable(client);
      measured.push(await measureColdStart(client, table, resolved.policy, inventory));
      await moto.reset();
    }
  } finally {
    client.destroy();
    await moto.stop();
  }
  const largest = measured.at(-1);
  const factor = largest === undefined ? 0 : EXTRAPOLATED_TO / largest.workloads;
  const extrapolated =
    largest === undefined || largest.workloads >= EXTRAPOLATED_TO
      ? null
      : {
          workloads: EXTRAPOLATED_TO,
          from: largest.workloads,
          fullRead: scaled(largest.fullRead, factor),
          snapshot: {
            ...scaled(largest.snapshot, factor),
            chunks: Math.ceil((largest.snapshot.bytes * factor) / DEFAULT_CHUNK_BYTES),
          },
        };
  return { skipped: null, rules: RULES, measured, extrapolated };
}

function measuredRows(figures: ColdStartFigures): string[][] {
  const row = (name: string, path: ColdPath, items: string) => [
    formatCount(figures.workloads),
    name,
    items,
    formatMs(path.calls.medianMs),
    formatMs(path.decode.medianMs),
    formatMs(path.storeRead.medianMs),
    formatMs(path.build.medianMs),
    formatMs(path.readyMs),
  ];
  const { snapshot } = figures;
  return [
    row(
      "full read",
      figures.fullRead,
      `${formatCount(figures.items)} items, ${figures.fullRead.requests} calls`,
    ),
    row("snapshot", snapshot, `${snapshot.chunks} chunks, ${(snapshot.bytes / 1024).toFixed(0)} KiB`),
  ];
}

function extrapolatedRows(extrapolated: NonNullable<ColdStartResult["extrapolated"]>): string[][] {
  const row = (name: string, path: ExtrapolatedPath, items: string) => [
    `${formatCount(extrapolated.workloads)} (extrapolated)`,
    name,
    items,
    formatMs(path.callsMs),
    formatMs(path.decodeMs),
    formatMs(path.storeReadMs),
    formatMs(path.buildMs),
    formatMs(path.readyMs),
  ];
  return [
    row("full read", extrapolated.fullRead, "-"),
    row("snapshot", extrapolated.snapshot, `~${extrapolated.snapshot.chunks} chunks`),
  ];
}

export function renderColdStart(result: ColdStartResult): string {
  const title = `cold-start: the reconciler function's store read and compiler rebuild, against moto's DynamoDB (${result.rules} rules), median of 3 fresh stores`;
  if (result.skipped !== null) return `${title}\n\nskipped: ${result.skipped}`;
  const headers = [
    "workloads",
    "path",
    "read",
    "calls ms",
    "decode ms",
    "store read ms",
    "build ms",
    "ready ms",
  ];
  const rows = [
    ...result.measured.flatMap(measuredRows),
    ...(result.extrapolated === null ? [] : extrapolatedRows(result.extrapolated)),
  ];
  const saves = result.measured
    .map((figures) => `${formatCount(figures.workloads)}: ${formatMs(figures.snapshot.saveMs)} ms`)
    .join(", ");
  return [
    title,
    "",
    renderTable(headers, rows),
    "",
    "calls: the DynamoDB requests alone (Scan pages; or the head and chunk GetItems); decode: checking what they returned (each item's JSON and zod; or sha256, gunzip, JSON and zod of the snapshot); store read: the store's snapshot() as the function calls it, both together; build: IncrementalCompiler.build; ready: store read + build, until the first reconcile can start.",
    ...(result.extrapolated === null
      ? []
      : [
          `${formatCount(result.extrapolated.workloads)} (extrapolated): the ${formatCount(result.extrapolated.from)} row × ${result.extrapolated.workloads / result.extrapolated.from}, linearly: not measured.`,
        ]),
    `Saving the snapshot (encode, chunk writes, manifest): ${saves}. moto answers from one local process: its per-request cost is not DynamoDB's, so compare the paths, not the absolute call times.`,
  ].join("\n");
}

export function coldStartWarnings(result: ColdStartResult): string[] {
  return result.measured.flatMap((figures) => [
    ...(figures.matches
      ? []
      : [
          `cold-start ${figures.workloads}: the snapshot's inventory or compiler differs from the full read's`,
        ]),
    ...(figures.snapshot.fellBack === null
      ? []
      : [`cold-start ${figures.workloads}: the snapshot path read in full (${figures.snapshot.fellBack})`]),
  ]);
}

export const coldStartSection = {
  name: "cold-start",
  description:
    "the reconciler's cold start: the DynamoDB inventory read in full or through its snapshot, and the compiler rebuilt",
  sizesFor: (quick: boolean) => (quick ? QUICK_COLD_START_SIZES : COLD_START_SIZES),
  run: runColdStart,
  render: renderColdStart,
  warnings: coldStartWarnings,
} as const;
