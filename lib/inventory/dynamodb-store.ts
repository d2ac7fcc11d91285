/**
 * The InventoryStore of the deployed pipeline: one DynamoDB table (item layout: dynamodb-items.ts),
 * with optimistic revisions enforced by DynamoDB itself, so that the check holds across processes.
 *
 * - Every put is one UpdateItem that sets the body and increments the revision atomically
 *   (`if_not_exists(revision, 0) + 1`), so even unconditional concurrent puts get distinct,
 *   consecutive revisions. expectedRevision becomes a ConditionExpression on the revision
 *   (`attribute_not_exists(pk)` for 0); its failure is the InventoryConflictError of the other
 *   stores, with the actual revision taken from the old item DynamoDB returns with the failure.
 * - Listing is a paginated, strongly consistent Scan rather than a Query on a GSI: the reconciler
 *   lists only on a full sync and a cold start, which need every item anyway (the table holds
 *   nothing else), a GSI can only be read eventually consistently (a list right after a put could
 *   miss it), and a GSI keyed for a sorted Query would put every write in one partition. The keys
 *   spread writes over partitions; the listing is sorted by id in memory, as the other stores do.
 * - With `snapshots` on, the store also keeps a compact snapshot of the whole inventory in the
 *   table (snapshot-keeper.ts), so that `snapshot()` after a cold start reads a few items instead
 *   of scanning every record, and only when the snapshot holds the table as it is now.
 * - Reads are strongly consistent. DynamoDB failures other than a failed condition are
 *   InventoryErrors naming the table and the operation, with the SDK's error as cause.
 */
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import {
  decodeItem,
  type Item,
  networkItem,
  revisionCondition,
  revisionOf,
  workloadBody,
  workloadKey,
} from "./dynamodb-items.js";
import { isSnapshotItem } from "./dynamodb-snapshot.js";
import { InventoryConflictError, InventoryError } from "./errors.js";
import type { Inventory, Network, Workload, WorkloadId } from "./model.js";
import { inventoryOf, sortedById, validatedNetwork, validatedWorkload } from "./records.js";
import { type SnapshotEvent, SnapshotKeeper, type SnapshotOptions } from "./snapshot-keeper.js";
import type { InventoryStore, WorkloadRecord, WriteOptions } from "./store.js";

export interface DynamoDbInventoryStoreOptions {
  readonly client: DynamoDBClient;
  readonly table: string;
  /** Items per Scan page; absent: DynamoDB's own pages of up to 1 MB. */
  readonly pageSize?: number;
  /**
   * Keep a compact snapshot of the inventory for cold starts (`saveSnapshot`); absent: none is
   * read or written, and the store's calls are exactly the records' own.
   */
  readonly snapshots?: SnapshotOptions;
}

export class DynamoDbInventoryStore implements InventoryStore {
  private readonly client: DynamoDBClient;
  readonly table: string;
  private readonly pageSize: number | undefined;
  private readonly keeper: SnapshotKeeper | undefined;

  constructor(options: DynamoDbInventoryStoreOptions) {
    this.client = options.client;
    this.table = options.table;
    this.pageSize = options.pageSize;
    if (options.snapshots !== undefined) {
      this.keeper = new SnapshotKeeper(options.client, options.table, options.snapshots);
    }
  }

  async get(id: WorkloadId): Promise<WorkloadRecord | undefined> {
    const output = await this.call(`get ${id}`, () =>
      this.client.send(
        new GetItemCommand({ TableName: this.table, Key: workloadKey(id), ConsistentRead: true }),
      ),
    );
    if (output.Item === undefined) return undefined;
    const decoded = decodeItem(output.Item, this.table);
    if (decoded.kind !== "workload")
      throw new InventoryError(`inventory table ${this.table}: ${id} is not a workload`);
    return decoded.record;
  }

  async list(): Promise<WorkloadRecord[]> {
    return sortedById((await this.scan()).workloads, (record) => record.workload.id);
  }

  async put(workload: Workload, options?: WriteOptions): Promise<WorkloadRecord> {
    const valid = validatedWorkload(workload);
    const body = workloadBody(valid);
    const expected = options?.expectedRevision;
    const condition = revisionCondition(expected);
    return this.writing(async () => {
      const output = await this.conditional(valid.id, expected, () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: workloadKey(valid.id),
            UpdateExpression: "SET #body = :body, #revision = if_not_exists(#revision, :zero) + :one",
            ...(condition === undefined ? {} : { ConditionExpression: condition.expression }),
            ExpressionAttributeNames: { "#body": "body", "#revision": "revision" },
            ExpressionAttributeValues: {
              ":body": { S: body },
              ":zero": { N: "0" },
              ":one": { N: "1" },
              ...condition?.values,
            },
            ReturnValues: "UPDATED_NEW",
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        ),
      );
      const revision = revisionOf(output.Attributes);
      if (revision === undefined) {
        this.keeper?.uncertain();
        throw new InventoryError(`inventory table ${this.table}: put ${valid.id} returned no revision`);
      }
      const record = Object.freeze({ workload: valid, revision });
      this.keeper?.written({ record });
      return record;
    });
  }

  async delete(id: WorkloadId, options?: WriteOptions): Promise<boolean> {
    const expected = options?.expectedRevision;
    const condition = revisionCondition(expected);
    return this.writing(async () => {
      const output = await this.conditional(id, expected, () =>
        this.client.send(
          new DeleteItemCommand({
            TableName: this.table,
            Key: workloadKey(id),
            ...(condition === undefined
              ? {}
              : {
                  ConditionExpression: condition.expression,
                  ...(Object.keys(condition.names).length === 0
                    ? {}
                    : { ExpressionAttributeNames: condition.names }),
                  ...(Object.keys(condition.values).length === 0
                    ? {}
                    : { ExpressionAttributeValues: condition.values }),
                }),
            ReturnValues: "ALL_OLD",
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        ),
      );
      this.keeper?.written({ deleted: id });
      return output.Attributes !== undefined;
    });
  }

  async listNetworks(): Promise<Network[]> {
    return sortedById((await this.scan()).networks, (network) => network.id);
  }

  async putNetwork(network: Network): Promise<void> {
    const valid = validatedNetwork(network);
    return this.writing(async () => {
      try {
        await this.call(`put network ${valid.id}`, () =>
          this.client.send(new PutItemCommand({ TableName: this.table, Item: networkItem(valid) })),
        );
      } catch (error) {
        this.keeper?.uncertain();
        throw error;
      }
      this.keeper?.written({ network: valid });
    });
  }

  /** With snapshots on: the compact snapshot when it holds the table as it is now, else a full read. */
  async snapshot(): Promise<Inventory> {
    if (this.keeper === undefined) {
      const { workloads, networks } = await this.scan();
      return inventoryOf(workloads, networks);
    }
    const keeper = this.keeper;
    const content = await this.call("read snapshot", () =>
      keeper.load(async () => {
        const { workloads, networks } = await this.scan();
        return { records: workloads, networks };
      }),
    );
    return inventoryOf(content.records, content.networks);
  }

  /**
   * Writes the store's view of the table as its compact snapshot, when it has one that is whole
   * and the stored snapshot is not current; what it did is reported and returned. Without
   * `snapshots`, nothing.
   */
  async saveSnapshot(): Promise<SnapshotEvent | undefined> {
    const keeper = this.keeper;
    if (keeper === undefined) return undefined;
    return this.call("save snapshot", () => keeper.save());
  }

  /**
   * A write, with snapshots on told to the keeper before it starts (the first write after a load
   * or a save advances the inventory's revision) and after it ends.
   */
  private async writing<T>(write: () => Promise<T>): Promise<T> {
    const keeper = this.keeper;
    if (keeper === undefined) return write();
    try {
      await this.call("advance the inventory revision", () => keeper.beforeWrite());
      return await write();
    } finally {
      keeper.afterWrite();
    }
  }

  /** Every item of the table, page by page; one pass serves workloads and networks alike. */
  private async scan(): Promise<{ workloads: WorkloadRecord[]; networks: Network[] }> {
    const workloads: WorkloadRecord[] = [];
    const networks: Network[] = [];
    let start: Item | undefined;
    do {
      const exclusiveStart = start;
      const page = await this.call("scan", () =>
        this.client.send(
          new ScanCommand({
            TableName: this.table,
            ConsistentRead: true,
            ...(this.pageSize === undefined ? {} : { Limit: this.pageSize }),
            ...(exclusiveStart === undefined ? {} : { ExclusiveStartKey: exclusiveStart }),
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        if (isSnapshotItem(item)) continue;
        const decoded = decodeItem(item, this.table);
        if (decoded.kind === "workload") workloads.push(decoded.record);
        else networks.push(decoded.network);
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return { workloads, networks };
  }

  /** A write under a revision condition: its failure is an InventoryConflictError. */
  private async conditional<T>(
    id: WorkloadId,
    expected: number | undefined,
    send: () => Promise<T>,
  ): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (expected !== undefined && isConditionFailure(error)) {
        throw new InventoryConflictError(id, expected, revisionOf(error.Item), { cause: error });
      }
      // The write may have happened or not: the snapshot's view of the table is no longer known.
      this.keeper?.uncertain();
      throw this.failure(`write ${id}`, error);
    }
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw this.failure(operation, error);
    }
  }

  private failure(operation: string, error: unknown): InventoryError {
    if (error instanceof InventoryError) return error; // already names the table
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new InventoryError(`inventory table ${this.table}: ${operation} failed: ${reason}`, {
      cause: error,
    });
  }
}

/** By name, not instanceof: a bundle can hold two copies of the SDK's error classes. */
function isConditionFailure(error: unknown): error is Error & { Item?: Item } {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}
