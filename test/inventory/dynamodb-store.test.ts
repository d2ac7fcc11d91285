import "aws-sdk-client-mock-vitest/extend";
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  ScanCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { MAX_ITEM_BYTES } from "../../lib/inventory/dynamodb-items.js";
import { DynamoDbInventoryStore } from "../../lib/inventory/dynamodb-store.js";
import { InvalidWorkloadError, InventoryConflictError, InventoryError } from "../../lib/inventory/errors.js";
import type { Workload } from "../../lib/inventory/model.js";
import { AWS_VPC, AWS_WEB, AZURE_API, awsWeb, azureApi, GCP_DB, gcpDb } from "./fixtures.js";

const TABLE = "segsync-inventory";
const dynamo = mockClient(DynamoDBClient);

function store(pageSize?: number): DynamoDbInventoryStore {
  return new DynamoDbInventoryStore({
    client: new DynamoDBClient({ region: "us-east-1" }),
    table: TABLE,
    ...(pageSize === undefined ? {} : { pageSize }),
  });
}

function workloadItem(workload: Workload, revision: number) {
  return {
    pk: { S: `workload#${workload.id}` },
    sk: { S: "workload" },
    revision: { N: String(revision) },
    body: { S: JSON.stringify(workload) },
  };
}

function conditionFailure(item?: Record<string, unknown>): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({
    message: "The conditional request failed",
    $metadata: {},
    ...(item === undefined ? {} : { Item: item as never }),
  });
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

beforeEach(() => {
  dynamo.reset();
});

describe("DynamoDbInventoryStore writes", () => {
  it("increments the revision in one UpdateItem, conditioned on the expected revision", async () => {
    dynamo.on(UpdateItemCommand).resolves({ Attributes: { revision: { N: "3" } } });
    const record = await store().put(awsWeb(), { expectedRevision: 2 });
    expect(record).toEqual({ workload: awsWeb(), revision: 3 });
    expect(Object.isFrozen(record)).toBe(true);
    expect(dynamo).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: TABLE,
      Key: { pk: { S: `workload#${AWS_WEB}` }, sk: { S: "workload" } },
      UpdateExpression: "SET #body = :body, #revision = if_not_exists(#revision, :zero) + :one",
      ConditionExpression: "#revision = :expected",
      ExpressionAttributeValues: {
        ":body": { S: JSON.stringify(awsWeb()) },
        ":zero": { N: "0" },
        ":one": { N: "1" },
        ":expected": { N: "2" },
      },
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    });
  });

  it("creates only if absent for expectedRevision 0, and writes unconditionally without one", async () => {
    dynamo.on(UpdateItemCommand).resolves({ Attributes: { revision: { N: "1" } } });
    await store().put(awsWeb(), { expectedRevision: 0 });
    await store().put(awsWeb());
    const inputs = dynamo.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);
    expect(inputs[0]?.ConditionExpression).toBe("attribute_not_exists(pk)");
    expect(inputs[0]?.ExpressionAttributeValues).not.toHaveProperty(":expected");
    expect(inputs[1]).not.toHaveProperty("ConditionExpression");
  });

  it("maps a failed condition to InventoryConflictError with the old item's revision and the cause", async () => {
    const failure = conditionFailure(workloadItem(awsWeb(), 5));
    dynamo.on(UpdateItemCommand).rejects(failure);
    const error = await rejectionOf(store().put(awsWeb(), { expectedRevision: 4 }));
    expect(error).toBeInstanceOf(InventoryConflictError);
    expect(error).toMatchObject({ workloadId: AWS_WEB, expectedRevision: 4, actualRevision: 5 });
    expect(error.message).toBe(`workload ${AWS_WEB} was expected at revision 4, but it is at revision 5`);
    expect(error.cause).toBe(failure);
  });

  it("reports a conflicting delete of a record that no longer exists as actualRevision undefined", async () => {
    dynamo.on(DeleteItemCommand).rejects(conditionFailure());
    const error = await rejectionOf(store().delete(AWS_WEB, { expectedRevision: 2 }));
    expect(error).toBeInstanceOf(InventoryConflictError);
    expect((error as InventoryConflictError).actualRevision).toBeUndefined();
    expect(dynamo).toHaveReceivedCommandWith(DeleteItemCommand, {
      ConditionExpression: "#revision = :expected",
      ExpressionAttributeNames: { "#revision": "revision" },
      ExpressionAttributeValues: { ":expected": { N: "2" } },
      ReturnValues: "ALL_OLD",
    });
  });

  it("sends no unused expression names or values with a delete conditioned on absence", async () => {
    dynamo.on(DeleteItemCommand).resolves({});
    expect(await store().delete(AWS_WEB, { expectedRevision: 0 })).toBe(false);
    const input = dynamo.commandCalls(DeleteItemCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe("attribute_not_exists(pk)");
    expect(input).not.toHaveProperty("ExpressionAttributeNames");
    expect(input).not.toHaveProperty("ExpressionAttributeValues");
  });

  it("wraps other DynamoDB failures in an InventoryError naming the table and the workload", async () => {
    const throttled = new ProvisionedThroughputExceededException({ message: "slow down", $metadata: {} });
    dynamo.on(UpdateItemCommand).rejects(throttled);
    const error = await rejectionOf(store().put(awsWeb(), { expectedRevision: 1 }));
    expect(error).not.toBeInstanceOf(InventoryConflictError);
    expect(error).toBeInstanceOf(InventoryError);
    expect(error.message).toBe(
      `inventory table ${TABLE}: write ${AWS_WEB} failed: ProvisionedThroughputExceededException: slow down`,
    );
    expect(error.cause).toBe(throttled);
  });

  it("refuses a workload whose item would exceed DynamoDB's item limit, sending nothing", async () => {
    const huge = awsWeb({ tags: { ...awsWeb().tags, note: "x".repeat(MAX_ITEM_BYTES) } });
    const error = await rejectionOf(store().put(huge));
    expect(error).toBeInstanceOf(InvalidWorkloadError);
    expect(error.message).toMatch(/over DynamoDB's 409600-byte item limit/);
    expect(dynamo.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });

  it("validates before sending: an invalid workload or revision sends nothing", async () => {
    await expect(store().put(awsWeb({ nics: [] }))).rejects.toThrow(InvalidWorkloadError);
    await expect(store().put(awsWeb(), { expectedRevision: -1 })).rejects.toThrow(TypeError);
    await expect(store().delete(AWS_WEB, { expectedRevision: 1.5 })).rejects.toThrow(TypeError);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it("fails loudly when DynamoDB returns no revision for a put", async () => {
    dynamo.on(UpdateItemCommand).resolves({});
    await expect(store().put(awsWeb())).rejects.toThrow(
      `inventory table ${TABLE}: put ${AWS_WEB} returned no revision`,
    );
  });
});

describe("DynamoDbInventoryStore listings", () => {
  it("follows LastEvaluatedKey through every page, consistently, and sorts by id", async () => {
    const lastKey = { pk: { S: `workload#${GCP_DB}` }, sk: { S: "workload" } };
    dynamo
      .on(ScanCommand)
      .resolvesOnce({ Items: [workloadItem(gcpDb(), 2)], LastEvaluatedKey: lastKey })
      .resolvesOnce({
        Items: [
          workloadItem(azureApi(), 1),
          {
            pk: { S: `network#${AWS_VPC}` },
            sk: { S: "network" },
            body: { S: JSON.stringify({ id: AWS_VPC }) },
          },
        ],
        LastEvaluatedKey: { pk: { S: `network#${AWS_VPC}` }, sk: { S: "network" } },
      })
      .resolvesOnce({ Items: [workloadItem(awsWeb(), 7)] });
    const snapshot = await store(25).snapshot();
    expect(snapshot.workloads.map((workload) => workload.id)).toEqual([AWS_WEB, AZURE_API, GCP_DB]);
    expect(snapshot.networks).toEqual([{ id: AWS_VPC }]);
    const inputs = dynamo.commandCalls(ScanCommand).map((call) => call.args[0].input);
    expect(inputs).toHaveLength(3);
    expect(inputs.every((input) => input.ConsistentRead === true && input.Limit === 25)).toBe(true);
    expect(inputs[0]).not.toHaveProperty("ExclusiveStartKey");
    expect(inputs[1]?.ExclusiveStartKey).toEqual(lastKey);
    expect(inputs[2]?.ExclusiveStartKey).toEqual({ pk: { S: `network#${AWS_VPC}` }, sk: { S: "network" } });
  });

  it("lists workloads with their revisions, frozen", async () => {
    dynamo.on(ScanCommand).resolves({ Items: [workloadItem(gcpDb(), 2), workloadItem(awsWeb(), 7)] });
    const records = await store().list();
    expect(records).toEqual([
      { workload: awsWeb(), revision: 7 },
      { workload: gcpDb(), revision: 2 },
    ]);
    expect(Object.isFrozen(records[0]?.workload.nics)).toBe(true);
  });

  it("refuses items that are not records: no revision, a foreign kind, a body under another key", async () => {
    const noRevision = { ...workloadItem(awsWeb(), 1), revision: undefined };
    const foreign = { pk: { S: "lock#1" }, sk: { S: "lock" }, body: { S: "{}" } };
    const misplaced = { ...workloadItem(awsWeb(), 1), pk: { S: `workload#${GCP_DB}` } };
    const notJson = { ...workloadItem(awsWeb(), 1), body: { S: "{" } };
    for (const item of [noRevision, foreign, misplaced, notJson]) {
      dynamo.reset();
      dynamo.on(ScanCommand).resolves({ Items: [item as never] });
      const error = await rejectionOf(store().list());
      expect(error).toBeInstanceOf(InventoryError);
      expect(error.message).toMatch(new RegExp(`^inventory table ${TABLE}: item ${item.pk.S} `));
    }
  });
});
