/**
 * One estate's cold start against moto: the reconciler function's path from an empty process to
 * a compiler ready for the first reconcile (the store read, decode and `IncrementalCompiler.build`),
 * once by a full read of the table and once through the compact snapshot, each run with a fresh
 * client and store as a new function instance would have.
 */
import { isDeepStrictEqual } from "node:util";
import { type DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { IncrementalCompiler } from "../../lib/compile/incremental.js";
import { decodeItem, type Item } from "../../lib/inventory/dynamodb-items.js";
import { readChunks, readHead } from "../../lib/inventory/dynamodb-snapshot.js";
import { DynamoDbInventoryStore } from "../../lib/inventory/dynamodb-store.js";
import type { Inventory } from "../../lib/inventory/model.js";
import { decodeSnapshot, parseManifest } from "../../lib/inventory/snapshot-codec.js";
import type { SnapshotEvent } from "../../lib/inventory/snapshot-keeper.js";
import type { Policy } from "../../lib/policy/model.js";
import { type TimedFigure, timed } from "../common/timing.js";
import { round3 } from "../measure.js";
import { fillTable, inventoryItems } from "./table.js";

/** Each cold path is run this many times, each with a fresh store. */
const RUNS = 3;

export interface ColdPath {
  /** The store's `snapshot()` as the function calls it: read and decode. */
  readonly storeRead: TimedFigure;
  /** Of which: the DynamoDB calls alone (Scan pages; or the head and chunk GetItems). */
  readonly calls: TimedFigure;
  /** Of which: checking and decoding what they returned (items; or gunzip, JSON, zod). */
  readonly decode: TimedFigure;
  readonly build: TimedFigure;
  /** storeRead + build medians: until the first reconcile can start. */
  readonly readyMs: number;
  /** DynamoDB calls made by one store read. */
  readonly requests: number;
}

export interface ColdStartFigures {
  readonly workloads: number;
  readonly items: number;
  readonly fillMs: number;
  readonly fullRead: ColdPath;
  readonly snapshot: ColdPath & {
    readonly saveMs: number;
    readonly chunks: number;
    readonly bytes: number;
    /** Why the snapshot path fell back to a full read, if it did (then its figures are not the snapshot's). */
    readonly fellBack: string | null;
  };
  /** The snapshot's inventory equals the full read's, and so do the compilers built from them. */
  readonly matches: boolean;
}

async function times<T>(runs: number, work: () => Promise<T>): Promise<{ figure: TimedFigure; last: T }> {
  const samples: number[] = [];
  let last: T | undefined;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    last = await work();
    samples.push(performance.now() - started);
  }
  return { figure: timed(samples), last: last as T };
}

async function scanPages(client: DynamoDBClient, table: string): Promise<{ items: Item[]; pages: number }> {
  const items: Item[] = [];
  let pages = 0;
  let start: Item | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: table,
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    pages++;
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return { items, pages };
}

function storeOf(client: DynamoDBClient, table: string, events: SnapshotEvent[]) {
  return new DynamoDbInventoryStore({ client, table, snapshots: { report: (event) => events.push(event) } });
}

async function fullReadPath(client: DynamoDBClient, table: string, policy: Policy) {
  const scanned = await times(RUNS, () => scanPages(client, table));
  const { items, pages } = scanned.last;
  const decode = await times(RUNS, async () => items.map((item) => decodeItem(item, table)));
  const read = await times(RUNS, () => storeOf(client, table, []).snapshot());
  const build = await times(RUNS, async () => IncrementalCompiler.build(policy, read.last));
  const path: ColdPath = {
    storeRead: read.figure,
    calls: scanned.figure,
    decode: decode.figure,
    build: build.figure,
    readyMs: round3(read.figure.medianMs + build.figure.medianMs),
    requests: pages + 2, // the Scan pages, and the head read before and after them
  };
  return { path, inventory: read.last, compiler: build.last };
}

async function snapshotPath(client: DynamoDBClient, table: string, policy: Policy) {
  const events: SnapshotEvent[] = [];
  const saver = storeOf(client, table, events);
  await saver.snapshot();
  const started = performance.now();
  const saved = await saver.saveSnapshot();
  const saveMs = round3(performance.now() - started);
  if (saved?.kind !== "saved") throw new Error(`the snapshot was not saved: ${JSON.stringify(saved)}`);
  const calls = await times(RUNS, async () => {
    const head = await readHead(client, table);
    const manifest = parseManifest(head.manifest ?? "");
    return { manifest, chunks: await readChunks(client, table, manifest) };
  });
  const decode = await times(RUNS, async () => decodeSnapshot(calls.last.manifest, calls.last.chunks));
  events.length = 0;
  const read = await times(RUNS, () => storeOf(client, table, events).snapshot());
  const build = await times(RUNS, async () => IncrementalCompiler.build(policy, read.last));
  const fallback = events.find((event) => event.kind === "full-read");
  return {
    path: {
      storeRead: read.figure,
      calls: calls.figure,
      decode: decode.figure,
      build: build.figure,
      readyMs: round3(read.figure.medianMs + build.figure.medianMs),
      requests: 1 + saved.chunks,
      saveMs,
      chunks: saved.chunks,
      bytes: saved.bytes,
      fellBack: fallback?.kind === "full-read" ? fallback.reason : null,
    },
    inventory: read.last,
    compiler: build.last,
  };
}

/** Fills `table` (new and empty) with the inventory and measures both cold paths. */
export async function measureColdStart(
  client: DynamoDBClient,
  table: string,
  policy: Policy,
  inventory: Inventory,
): Promise<ColdStartFigures> {
  const items = inventoryItems(inventory);
  const filling = performance.now();
  await fillTable(client, table, items);
  const fillMs = round3(performance.now() - filling);
  const full = await fullReadPath(client, table, policy);
  const compact = await snapshotPath(client, table, policy);
  const matches =
    isDeepStrictEqual(compact.inventory, full.inventory) &&
    isDeepStrictEqual(compact.compiler.snapshot(), full.compiler.snapshot());
  return {
    workloads: inventory.workloads.length,
    items: items.length,
    fillMs,
    fullRead: full.path,
    snapshot: compact.path,
    matches,
  };
}
