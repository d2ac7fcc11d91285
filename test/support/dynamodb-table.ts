import { randomUUID } from "node:crypto";
import { CreateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";

/** A new inventory table as the construct creates it (infra/ TABLE_KEYS): string keys `pk` and `sk`. */
export async function createInventoryTable(client: DynamoDBClient): Promise<string> {
  const table = `segsync-inventory-${randomUUID()}`;
  await client.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  return table;
}
