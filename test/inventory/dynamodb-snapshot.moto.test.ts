/**
 * DynamoDbInventoryStore with compact snapshots, against moto's DynamoDB: the InventoryStore
 * contract still holds; a snapshot saved by one store instance is what a new instance (a cold
 * start) loads, equal to a full read; a stale, corrupt, truncated or forged snapshot is refused,
 * the table read in full instead and the reason reported.
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbInventoryStore } from "../../lib/inventory/dynamodb-store.js";
import type { SnapshotEvent } from "../../lib/inventory/snapshot-keeper.js";
import { describeInventoryStoreContract } from "../contract/store.contract.js";
import { createInventoryTable, motoDynamoDbClient } from "../support/dynamodb-table.js";
import { type MotoServer, skipWithoutMoto, startMotoServer } from "../support/moto-server.js";
import { AWS_WEB, awsWeb, azureApi, gcpDb, NETWORKS } from "./fixtures.js";

/** Small chunks, so that every snapshot here spans several items. */
const CHUNK_BYTES = 200;
const HEAD = { pk: { S: "inventory#head" }, sk: { S: "head" } };
const chunkKey = (index: number) => ({ pk: { S: `inventory#snapshot#${index}` }, sk: { S: "chunk" } });

describe.skipIf(skipWithoutMoto("the DynamoDB inventory snapshot tests against moto"))(
  "DynamoDbInventoryStore snapshots on moto",
  () => {
    let moto: MotoServer | undefined;
    let client: DynamoDBClient;

    beforeAll(async () => {
      moto = await startMotoServer();
      client = motoDynamoDbClient(moto);
    });

    afterAll(async () => {
      client?.destroy();
      await moto?.stop();
    });

    /** A store with snapshots on, and the events it reports. */
    function snapshotStore(table: string) {
      const events: SnapshotEvent[] = [];
      const store = new DynamoDbInventoryStore({
        client,
        table,
        snapshots: { chunkBytes: CHUNK_BYTES, report: (event) => events.push(event) },
      });
      return { store, events };
    }

    /** A table with three workloads and the networks, its snapshot saved; the saving store. */
    async function savedTable() {
      const table = await createInventoryTable(client);
      const { store, events } = snapshotStore(table);
      await store.snapshot(); // the cold start of an empty table
      for (const workload of [awsWeb(), azureApi(), gcpDb()]) await store.put(workload);
      await store.put(awsWeb({ state: "stopped" }));
      for (const network of NETWORKS) await store.putNetwork(network);
      const saved = await store.saveSnapshot();
      expect(saved).toMatchObject({ kind: "saved", workloads: 3 });
      expect(events.map((event) => event.kind)).toEqual(["full-read", "saved"]);
      return { table, store, saved };
    }

    /** What a store without snapshots reads: every record, by a scan. */
    const fullRead = (table: string) => new DynamoDbInventoryStore({ client, table }).snapshot();

    async function coldLoad(table: string) {
      const { store, events } = snapshotStore(table);
      const inventory = await store.snapshot();
      expect(inventory).toEqual(await fullRead(table));
      expect(events).toHaveLength(1);
      return events[0] as SnapshotEvent;
    }

    describeInventoryStoreContract({
      name: "DynamoDbInventoryStore with snapshots",
      create: async () => snapshotStore(await createInventoryTable(client)).store,
      serialisesConcurrentWrites: false,
    });

    it("loads a saved snapshot on a cold start: few items, equal to a full read", async () => {
      const { table, saved } = await savedTable();
      expect(saved).toMatchObject({ chunks: expect.any(Number) });
      expect((saved as { chunks: number }).chunks).toBeGreaterThan(1);
      const event = await coldLoad(table);
      expect(event).toEqual({ ...saved, kind: "loaded-snapshot", ms: expect.any(Number) });
      expect((await fullRead(table)).workloads.find((w) => w.id === AWS_WEB)?.state).toBe("stopped");
    });

    it("saves nothing while the stored snapshot is current, and again after a write", async () => {
      const { store } = await savedTable();
      expect(await store.saveSnapshot()).toEqual({
        kind: "not-saved",
        reason: "the stored snapshot is current",
      });
      await store.delete(AWS_WEB);
      expect(await store.saveSnapshot()).toMatchObject({ kind: "saved", workloads: 2 });
    });

    it("refuses a snapshot the table has moved past: a write after the save", async () => {
      const { table, store } = await savedTable();
      await store.put(gcpDb({ state: "running" }));
      const event = await coldLoad(table);
      expect(event).toEqual({
        kind: "full-read",
        reason: "snapshot not used: there is none for the inventory as it is now",
        workloads: 3,
        ms: expect.any(Number),
      });
    });

    it("refuses a corrupt chunk (sha256), a missing one, and one of another snapshot", async () => {
      const { table } = await savedTable();
      const chunk = await client.send(new GetItemCommand({ TableName: table, Key: chunkKey(1) }));
      const data = Uint8Array.from(chunk.Item?.data?.B as Uint8Array);
      data[3] = (data[3] as number) ^ 0xff;
      const put = (item: Record<string, AttributeValue>) =>
        client.send(new PutItemCommand({ TableName: table, Item: { ...chunk.Item, ...item } }));
      await put({ data: { B: data } });
      expect(await coldLoad(table)).toMatchObject({
        kind: "full-read",
        reason: expect.stringMatching(/sha256/),
      });
      await put({ revision: { N: "99" } });
      expect(await coldLoad(table)).toMatchObject({
        reason: expect.stringMatching(/chunk 1 belongs to revision 99, not/),
      });
      await client.send(new DeleteItemCommand({ TableName: table, Key: chunkKey(1) }));
      expect(await coldLoad(table)).toMatchObject({ reason: expect.stringMatching(/chunk 1 is missing/) });
    });

    it("refuses a forged manifest: another revision, or not a manifest", async () => {
      const { table, saved } = await savedTable();
      const head = await client.send(new GetItemCommand({ TableName: table, Key: HEAD }));
      const manifest = JSON.parse(head.Item?.snapshot?.S as string);
      const setManifest = (text: string) =>
        client.send(
          new UpdateItemCommand({
            TableName: table,
            Key: HEAD,
            UpdateExpression: "SET #snapshot = :s",
            ExpressionAttributeNames: { "#snapshot": "snapshot" },
            ExpressionAttributeValues: { ":s": { S: text } },
          }),
        );
      const revision = (saved as { revision: number }).revision;
      await setManifest(JSON.stringify({ ...manifest, revision: revision + 1 }));
      expect(await coldLoad(table)).toMatchObject({
        reason: `snapshot not used: it is at revision ${revision + 1}, the inventory at ${revision}`,
      });
      await setManifest(JSON.stringify({ ...manifest, chunks: "all" }));
      expect(await coldLoad(table)).toMatchObject({ reason: expect.stringMatching(/manifest is not valid/) });
    });

    it("writes no snapshot over another writer's changes", async () => {
      const { table, store } = await savedTable();
      await store.put(gcpDb({ state: "running" }));
      await new DynamoDbInventoryStore({ client, table, snapshots: {} }).delete(AWS_WEB);
      expect(await store.saveSnapshot()).toMatchObject({
        kind: "not-saved",
        reason: expect.stringMatching(/moved past revision/),
      });
      expect(await coldLoad(table)).toMatchObject({ kind: "full-read" });
    });

    it("keeps the full read free of its own items, with snapshots off too", async () => {
      const { table } = await savedTable();
      const inventory = await fullRead(table);
      expect(inventory.workloads.map((workload) => workload.id).sort()).toEqual(
        [awsWeb(), azureApi(), gcpDb()].map((workload) => workload.id).sort(),
      );
      expect(await new DynamoDbInventoryStore({ client, table }).list()).toHaveLength(3);
    });
  },
);
