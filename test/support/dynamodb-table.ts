import { randomUUID } from "node:crypto";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { MotoServer } from "./moto-server.js";

/** A DynamoDB client of moto_server, with its test credentials and no retries. */
export function motoDynamoDbClient(moto: MotoServer): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: moto.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    maxAttempts: 1,
  });
}

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
