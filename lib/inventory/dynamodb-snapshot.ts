/**
 * Where DynamoDbInventoryStore keeps the inventory's revision and its compact snapshot
 * (snapshot-codec.ts), beside the records (dynamodb-items.ts):
 *
 *   head:  { pk: "inventory#head",     sk: "head",          revision: N, snapshot?: S (the manifest) }
 *   chunk: { pk: "inventory#snapshot#<index>", sk: "chunk", revision: N, data: B }
 *
 * Each chunk has a partition of its own: a partition takes at most 1,000 write units a second,
 * and a chunk is up to 400 of them.
 * The head's revision is the inventory's: every run of writes first adds 1 to it and removes the
 * manifest in the same update, so a snapshot can never be taken for current once the table has
 * changed (a write that fails after it only costs a full read). A manifest is written last, and
 * only if the head is still at the revision its snapshot holds.
 */
import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { z } from "zod";
import type { Item } from "./dynamodb-items.js";
import { InventorySnapshotError } from "./errors.js";
import type { SnapshotManifest } from "./snapshot-codec.js";

const HEAD_PK = "inventory#head";
const CHUNK_PK_PREFIX = "inventory#snapshot#";
const HEAD_KEY: Item = { pk: { S: HEAD_PK }, sk: { S: "head" } };

/** Chunks read, or written, at a time. */
const CHUNK_CONCURRENCY = 8;

/** Whether an item is the store's own bookkeeping (the head or a chunk), not a record. */
export function isSnapshotItem(item: Item): boolean {
  const pk = item.pk?.S;
  return pk === HEAD_PK || (pk?.startsWith(CHUNK_PK_PREFIX) ?? false);
}

function chunkKey(index: number): Item {
  return { pk: { S: `${CHUNK_PK_PREFIX}${index}` }, sk: { S: "chunk" } };
}

const HeadSchema = z.object({
  revision: z.object({ N: z.string().regex(/^[1-9]\d{0,15}$/, "not a positive integer") }),
  snapshot: z.object({ S: z.string() }).optional(),
});

const ChunkSchema = z.object({
  revision: z.object({ N: z.string().regex(/^[1-9]\d{0,15}$/, "not a positive integer") }),
  data: z.object({ B: z.instanceof(Uint8Array) }),
});

/** The inventory's revision (0: never written with snapshots on) and the manifest text, if any. */
export interface Head {
  readonly revision: number;
  readonly manifest: string | undefined;
}

export async function readHead(client: DynamoDBClient, table: string): Promise<Head> {
  const output = await client.send(
    new GetItemCommand({ TableName: table, Key: HEAD_KEY, ConsistentRead: true }),
  );
  if (output.Item === undefined) return { revision: 0, manifest: undefined };
  const head = HeadSchema.safeParse(output.Item);
  // A head that is not one vouches for no snapshot. The next write's advance removes a bad
  // manifest; a revision that is not a number makes DynamoDB refuse it, and the write fails loudly.
  if (!head.success) return { revision: -1, manifest: undefined };
  return { revision: Number(head.data.revision.N), manifest: head.data.snapshot?.S };
}

/** Adds 1 to the inventory's revision and removes the manifest; resolves to the new revision. */
export async function advanceRevision(client: DynamoDBClient, table: string): Promise<number> {
  const output = await client.send(
    new UpdateItemCommand({
      TableName: table,
      Key: HEAD_KEY,
      UpdateExpression: "SET #revision = if_not_exists(#revision, :zero) + :one REMOVE #snapshot",
      ExpressionAttributeNames: { "#revision": "revision", "#snapshot": "snapshot" },
      ExpressionAttributeValues: { ":zero": { N: "0" }, ":one": { N: "1" } },
      ReturnValues: "UPDATED_NEW",
    }),
  );
  const head = HeadSchema.safeParse(output.Attributes);
  if (!head.success) throw new InventorySnapshotError("advancing the inventory revision returned none");
  return Number(head.data.revision.N);
}

/** The chunks a manifest names, in order; InventorySnapshotError when one belongs to another snapshot. */
export async function readChunks(
  client: DynamoDBClient,
  table: string,
  manifest: SnapshotManifest,
): Promise<(Uint8Array | undefined)[]> {
  return inGroups(manifest.chunks, async (index) => {
    const output = await client.send(
      new GetItemCommand({ TableName: table, Key: chunkKey(index), ConsistentRead: true }),
    );
    return chunkData(output.Item, index, manifest.revision);
  });
}

/** `run` for 0 … count-1, CHUNK_CONCURRENCY at a time; the results in order. */
async function inGroups<T>(count: number, run: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += CHUNK_CONCURRENCY) {
    const size = Math.min(CHUNK_CONCURRENCY, count - start);
    results.push(...(await Promise.all(Array.from({ length: size }, (_, offset) => run(start + offset)))));
  }
  return results;
}

function chunkData(item: Item | undefined, index: number, revision: number): Uint8Array | undefined {
  if (item === undefined) return undefined;
  const chunk = ChunkSchema.safeParse(item);
  if (!chunk.success) throw new InventorySnapshotError(`its chunk ${index} is not a chunk item`);
  const chunkRevision = Number(chunk.data.revision.N);
  if (chunkRevision !== revision) {
    throw new InventorySnapshotError(
      `its chunk ${index} belongs to revision ${chunkRevision}, not ${revision}`,
    );
  }
  return chunk.data.data.B;
}

/** Writes the chunks, overwriting the previous snapshot's (no manifest names those any more). */
export async function writeChunks(
  client: DynamoDBClient,
  table: string,
  revision: number,
  chunks: readonly Uint8Array[],
): Promise<void> {
  await inGroups(chunks.length, async (index) => {
    const data = chunks[index] as Uint8Array;
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: { ...chunkKey(index), revision: { N: String(revision) }, data: { B: data } },
      }),
    );
  });
}

/** The bytes of a chunk item besides its data: the names and values of its keys and revision. */
export const CHUNK_OVERHEAD_BYTES = 128;

/**
 * Puts the manifest on the head if the head is still at the manifest's revision; false when it
 * is not (the inventory changed since the snapshot was taken: nothing is written).
 */
export async function commitManifest(
  client: DynamoDBClient,
  table: string,
  manifest: SnapshotManifest,
): Promise<boolean> {
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: HEAD_KEY,
        UpdateExpression: "SET #snapshot = :snapshot",
        ConditionExpression: "#revision = :revision",
        ExpressionAttributeNames: { "#revision": "revision", "#snapshot": "snapshot" },
        ExpressionAttributeValues: {
          ":snapshot": { S: JSON.stringify(manifest) },
          ":revision": { N: String(manifest.revision) },
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === "ConditionalCheckFailedException") return false;
    throw error;
  }
}
