/**
 * The calls DynamoDbInventoryStore makes for its compact snapshot (aws-sdk-client-mock): the
 * inventory revision advances once, before the first write after a load or a save; a write whose
 * outcome is unknown leaves nothing to save; the full read skips the snapshot's own items.
 */
import "aws-sdk-client-mock-vitest/extend";
import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { DynamoDbInventoryStore } from "../../lib/inventory/dynamodb-store.js";
import type { SnapshotEvent } from "../../lib/inventory/snapshot-keeper.js";
import { AWS_WEB, awsWeb, gcpDb } from "./fixtures.js";

const TABLE = "segsync-inventory";
const dynamo = mockClient(DynamoDBClient);
const HEAD_KEY = { pk: { S: "inventory#head" }, sk: { S: "head" } };

function store() {
  const events: SnapshotEvent[] = [];
  const instance = new DynamoDbInventoryStore({
    client: new DynamoDBClient({ region: "us-east-1" }),
    table: TABLE,
    snapshots: { report: (event) => events.push(event) },
  });
  return { store: instance, events };
}

const headUpdates = () =>
  dynamo
    .commandCalls(UpdateItemCommand)
    .map((call) => call.args[0].input)
    .filter((input) => input.Key?.pk?.S === "inventory#head");

beforeEach(() => {
  dynamo.reset();
  dynamo.on(GetItemCommand, { Key: HEAD_KEY }).resolves({ Item: { ...HEAD_KEY, revision: { N: "4" } } });
  dynamo.on(ScanCommand).resolves({
    Items: [
      { ...HEAD_KEY, revision: { N: "4" } },
      {
        pk: { S: "inventory#snapshot#0" },
        sk: { S: "chunk" },
        revision: { N: "3" },
        data: { B: new Uint8Array(8) },
      },
    ],
  });
  dynamo
    .on(UpdateItemCommand, { Key: HEAD_KEY, ReturnValues: "UPDATED_NEW" })
    .resolves({ Attributes: { revision: { N: "5" } } });
  dynamo
    .on(UpdateItemCommand, { Key: { sk: { S: "workload" } } })
    .resolves({ Attributes: { revision: { N: "1" } } });
});

describe("DynamoDbInventoryStore snapshot calls", () => {
  it("advances the inventory revision once, before the first write of a run, and removes the manifest", async () => {
    const { store: subject, events } = store();
    expect((await subject.snapshot()).workloads).toEqual([]);
    expect(events).toEqual([
      {
        kind: "full-read",
        reason: "snapshot not used: there is none for the inventory as it is now",
        workloads: 0,
        ms: expect.any(Number),
      },
    ]);
    await subject.put(awsWeb());
    await subject.put(gcpDb());
    const updates = dynamo.commandCalls(UpdateItemCommand).map((call) => call.args[0].input.Key?.pk?.S);
    expect(updates).toEqual([
      "inventory#head",
      `workload#${AWS_WEB}`,
      expect.stringMatching(/^workload#gcp:/),
    ]);
    expect(headUpdates()[0]).toMatchObject({
      UpdateExpression: "SET #revision = if_not_exists(#revision, :zero) + :one REMOVE #snapshot",
    });
  });

  it("writes the chunks, then the manifest only if the head is still at its revision; the next write advances again", async () => {
    const { store: subject } = store();
    await subject.snapshot();
    await subject.put(awsWeb());
    expect(await subject.saveSnapshot()).toMatchObject({
      kind: "saved",
      revision: 5,
      workloads: 1,
      chunks: 1,
    });
    expect(dynamo).toHaveReceivedCommandWith(PutItemCommand, {
      Item: expect.objectContaining({ pk: { S: "inventory#snapshot#0" }, revision: { N: "5" } }),
    });
    expect(headUpdates()[1]).toMatchObject({
      ConditionExpression: "#revision = :revision",
      ExpressionAttributeValues: expect.objectContaining({ ":revision": { N: "5" } }),
    });
    await subject.put(awsWeb({ state: "stopped" }));
    expect(headUpdates()).toHaveLength(3);
  });

  it("advances once for concurrent writes, so that its view survives them", async () => {
    const { store: subject } = store();
    await subject.snapshot();
    await Promise.all([subject.put(awsWeb()), subject.put(gcpDb())]);
    expect(headUpdates()).toHaveLength(1);
    expect(await subject.saveSnapshot()).toMatchObject({ kind: "saved", revision: 5, workloads: 2 });
  });

  it("advances again for a write that starts while a save is under way, so that the save cannot pass for current", async () => {
    const { store: subject } = store();
    await subject.snapshot();
    await subject.put(awsWeb());
    dynamo.on(PutItemCommand).callsFake(() => new Promise((resolve) => setTimeout(() => resolve({}), 20)));
    const saving = subject.saveSnapshot();
    await subject.put(gcpDb());
    await saving;
    const advances = headUpdates().filter((input) => input.ReturnValues === "UPDATED_NEW");
    expect(advances).toHaveLength(2);
  });

  it("saves nothing while a write is under way: the view may lack it", async () => {
    const { store: subject } = store();
    await subject.snapshot();
    dynamo
      .on(UpdateItemCommand, { Key: { sk: { S: "workload" } } })
      .callsFake(
        () =>
          new Promise((resolve) => setTimeout(() => resolve({ Attributes: { revision: { N: "1" } } }), 20)),
      );
    const writing = subject.put(awsWeb());
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await subject.saveSnapshot()).toEqual({ kind: "not-saved", reason: "writes are under way" });
    await writing;
    expect(await subject.saveSnapshot()).toMatchObject({ kind: "saved", workloads: 1 });
  });

  it("has nothing to save after a write whose outcome is unknown", async () => {
    const { store: subject } = store();
    await subject.snapshot();
    dynamo.on(UpdateItemCommand, { Key: { sk: { S: "workload" } } }).rejects(new Error("socket hang up"));
    await expect(subject.put(awsWeb())).rejects.toThrow(/socket hang up/);
    expect(await subject.saveSnapshot()).toEqual({
      kind: "not-saved",
      reason: "the store's view of the table is not known to be whole",
    });
    expect(dynamo).not.toHaveReceivedCommand(PutItemCommand);
  });

  it("drops its view when the revision moved by more than its own writes (another writer)", async () => {
    const { store: subject } = store();
    await subject.snapshot();
    dynamo
      .on(UpdateItemCommand, { Key: HEAD_KEY, ReturnValues: "UPDATED_NEW" })
      .resolves({ Attributes: { revision: { N: "7" } } });
    await subject.put(awsWeb());
    expect(await subject.saveSnapshot()).toMatchObject({ kind: "not-saved" });
  });

  it("makes no snapshot calls with snapshots off", async () => {
    const plain = new DynamoDbInventoryStore({
      client: new DynamoDBClient({ region: "us-east-1" }),
      table: TABLE,
    });
    await plain.snapshot();
    await plain.put(awsWeb());
    expect(dynamo).not.toHaveReceivedCommand(GetItemCommand);
    expect(headUpdates()).toEqual([]);
  });
});
