/**
 * The cold-start section's DynamoDB: a moto_server (test/support/moto-server.ts), one inventory
 * table per estate, filled with the items DynamoDbInventoryStore writes (lib/inventory/dynamodb-items.ts).
 */
import { BatchWriteItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type Item, networkItem, workloadBody, workloadKey } from "../../lib/inventory/dynamodb-items.js";
import type { Inventory } from "../../lib/inventory/model.js";

/** DynamoDB takes at most 25 items per BatchWriteItem. */
const BATCH_ITEMS = 25;
const FILL_CONCURRENCY = 4;

export function motoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  });
}

/** Each workload at revision 1, and each network, as the store's own items. */
export function inventoryItems(inventory: Inventory): Item[] {
  return [
    ...inventory.workloads.map((workload) => ({
      ...workloadKey(workload.id),
      revision: { N: "1" },
      body: { S: workloadBody(workload) },
    })),
    ...inventory.networks.map(networkItem),
  ];
}

/** Writes the items in batches of 25, a few batches at a time, retrying what DynamoDB left unprocessed. */
export async function fillTable(
  client: DynamoDBClient,
  table: string,
  items: readonly Item[],
): Promise<void> {
  const batches: Item[][] = [];
  for (let start = 0; start < items.length; start += BATCH_ITEMS)
    batches.push(items.slice(start, start + BATCH_ITEMS));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      let pending = (batches[next++] as Item[]).map((item) => ({ PutRequest: { Item: item } }));
      while (pending.length > 0) {
        const output = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
        pending = (output.UnprocessedItems?.[table] ?? []).flatMap((request) =>
          request.PutRequest?.Item === undefined ? [] : [{ PutRequest: { Item: request.PutRequest.Item } }],
        );
      }
    }
  };
  await Promise.all(Array.from({ length: FILL_CONCURRENCY }, worker));
}
