/**
 * DynamoDbInventoryStore against moto's DynamoDB: the shared InventoryStore contract (one new
 * table per test), then what only a real table shows: the item layout and that the revision
 * check holds between two store instances, as between two processes.
 */
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbInventoryStore } from "../../lib/inventory/dynamodb-store.js";
import { InventoryConflictError, InventoryError } from "../../lib/inventory/errors.js";
import { describeInventoryStoreContract } from "../contract/store.contract.js";
import { createInventoryTable, motoDynamoDbClient } from "../support/dynamodb-table.js";
import { type MotoServer, skipWithoutMoto, startMotoServer } from "../support/moto-server.js";
import { AWS_VPC, AWS_WEB, awsWeb, gcpDb, NETWORKS } from "./fixtures.js";

describe.skipIf(skipWithoutMoto("the DynamoDB inventory store tests against moto"))(
  "DynamoDbInventoryStore on moto",
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

    describeInventoryStoreContract({
      name: "DynamoDbInventoryStore",
      create: async () => new DynamoDbInventoryStore({ client, table: await createInventoryTable(client) }),
      // moto does not always serialise concurrent conditional writes (see StoreKind).
      serialisesConcurrentWrites: false,
    });

    it("keeps one item per record, keyed workload#<id>/workload and network#<id>/network, its body as JSON", async () => {
      const table = await createInventoryTable(client);
      const store = new DynamoDbInventoryStore({ client, table });
      await store.put(awsWeb());
      await store.put(awsWeb({ state: "stopped" }));
      await store.putNetwork({ id: AWS_VPC, cidr: "10.1.0.0/16" });
      const workload = await client.send(
        new GetItemCommand({
          TableName: table,
          Key: { pk: { S: `workload#${AWS_WEB}` }, sk: { S: "workload" } },
        }),
      );
      expect(workload.Item).toEqual({
        pk: { S: `workload#${AWS_WEB}` },
        sk: { S: "workload" },
        revision: { N: "2" },
        body: { S: JSON.stringify(awsWeb({ state: "stopped" })) },
      });
      const network = await client.send(
        new GetItemCommand({
          TableName: table,
          Key: { pk: { S: `network#${AWS_VPC}` }, sk: { S: "network" } },
        }),
      );
      expect(network.Item).toEqual({
        pk: { S: `network#${AWS_VPC}` },
        sk: { S: "network" },
        body: { S: JSON.stringify({ id: AWS_VPC, cidr: "10.1.0.0/16" }) },
      });
    });

    it("checks revisions between two store instances on one table, as between two processes", async () => {
      const table = await createInventoryTable(client);
      const first = new DynamoDbInventoryStore({ client, table });
      const second = new DynamoDbInventoryStore({ client, table });
      await first.put(awsWeb());
      expect((await second.put(awsWeb({ state: "stopped" }), { expectedRevision: 1 })).revision).toBe(2);
      const conflict = await first.put(awsWeb(), { expectedRevision: 1 }).catch((error: unknown) => error);
      expect(conflict).toBeInstanceOf(InventoryConflictError);
      expect(conflict).toMatchObject({ expectedRevision: 1, actualRevision: 2 });
      expect((conflict as Error).cause).toMatchObject({ name: "ConditionalCheckFailedException" });
    });

    it("lists every record through many small pages", async () => {
      const table = await createInventoryTable(client);
      const store = new DynamoDbInventoryStore({ client, table, pageSize: 2 });
      const ids = Array.from({ length: 9 }, (_, index) => `gcp:shop-prod:us-central1-a:web-${index}`);
      for (const id of ids) await store.put(gcpDb({ id }));
      for (const network of NETWORKS) await store.putNetwork(network);
      expect((await store.list()).map((record) => record.workload.id)).toEqual([...ids].sort());
      expect(await store.listNetworks()).toEqual([...NETWORKS]);
    });

    it("refuses to read an item that is not a valid record, naming the table and key", async () => {
      const table = await createInventoryTable(client);
      const store = new DynamoDbInventoryStore({ client, table });
      const bad = { ...awsWeb(), nics: [] };
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            pk: { S: `workload#${AWS_WEB}` },
            sk: { S: "workload" },
            revision: { N: "1" },
            body: { S: JSON.stringify(bad) },
          },
        }),
      );
      const error = await store.get(AWS_WEB).catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(InventoryError);
      expect((error as Error).message).toBe(
        `inventory table ${table}: item workload#${AWS_WEB} is not a valid workload: $.nics: a workload has at least one NIC`,
      );
      await expect(store.snapshot()).rejects.toThrow(InventoryError);
    });

    it("reports a missing table as an InventoryError with the SDK's error as cause", async () => {
      const store = new DynamoDbInventoryStore({ client, table: "no-such-table" });
      const error = await store.put(awsWeb()).catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(InventoryError);
      expect((error as Error).message).toContain("inventory table no-such-table: write ");
      expect((error as Error).cause).toMatchObject({ name: "ResourceNotFoundException" });
    });
  },
);
