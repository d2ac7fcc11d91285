/**
 * How DynamoDbInventoryStore lays records out in its table: one table, string keys `pk`
 * (partition) and `sk` (sort), as the construct creates it (infra/ TABLE_KEYS).
 *
 *   workload: { pk: "workload#<workload id>", sk: "workload", revision: N, body: S }
 *   network:  { pk: "network#<network id>",   sk: "network",  body: S }
 *
 * One partition per workload or network spreads the writes; the sort key names the item's kind,
 * which leaves room for other items about the same entity later. The inventory's revision and
 * its compact snapshot have items of their own, `inventory#…` (dynamodb-snapshot.ts).
 * `body` is the record as JSON text rather than a DynamoDB map: it round-trips exactly what the
 * inventory schema validated, and its size is known before the write (an item is at most 400 KB).
 * Every item read back is checked again: the table is an edge like any other.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { z } from "zod";
import { InvalidWorkloadError, InventoryError } from "./errors.js";
import { describeIssues } from "./issues.js";
import type { Network, Workload, WorkloadId } from "./model.js";
import { deepFreeze } from "./records.js";
import { NetworkSchema, WorkloadSchema } from "./schema.js";
import type { WorkloadRecord } from "./store.js";

export type Item = Record<string, AttributeValue>;

/** DynamoDB's item size limit: attribute names and values, in UTF-8 bytes. */
export const MAX_ITEM_BYTES = 400 * 1024;

/** A DynamoDB number takes at most 21 bytes (38 significant digits). */
const MAX_NUMBER_BYTES = 21;

const WORKLOAD_PREFIX = "workload#";
const NETWORK_PREFIX = "network#";

export function workloadKey(id: WorkloadId): Item {
  return { pk: { S: `${WORKLOAD_PREFIX}${id}` }, sk: { S: "workload" } };
}

export function networkKey(id: string): Item {
  return { pk: { S: `${NETWORK_PREFIX}${id}` }, sk: { S: "network" } };
}

/**
 * The JSON body of a validated workload; InvalidWorkloadError when the item it makes would exceed
 * DynamoDB's limit (nothing is sent). The revision is counted at its largest size.
 */
export function workloadBody(workload: Workload): string {
  const body = JSON.stringify(workload);
  const bytes =
    itemBytes({ ...workloadKey(workload.id), body: { S: body } }) + "revision".length + MAX_NUMBER_BYTES;
  if (bytes > MAX_ITEM_BYTES) {
    throw new InvalidWorkloadError(workload.id, [
      `$: the stored item would be ${bytes} bytes, over DynamoDB's ${MAX_ITEM_BYTES}-byte item limit`,
    ]);
  }
  return body;
}

export function networkItem(network: Network): Item {
  return { ...networkKey(network.id), body: { S: JSON.stringify(network) } };
}

/** The size DynamoDB counts for string attributes (all of ours but the revision). */
function itemBytes(item: Item): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name) + (value.S === undefined ? 0 : Buffer.byteLength(value.S));
  }
  return bytes;
}

const StringValue = z.object({ S: z.string() });
const RevisionValue = z.object({ N: z.string().regex(/^[1-9]\d{0,15}$/, "not a positive integer") });

const StoredItemSchema = z.union([
  z.object({
    pk: StringValue,
    sk: z.object({ S: z.literal("workload") }),
    revision: RevisionValue,
    body: StringValue,
  }),
  z.object({ pk: StringValue, sk: z.object({ S: z.literal("network") }), body: StringValue }),
]);

export type DecodedItem =
  | { readonly kind: "workload"; readonly record: WorkloadRecord }
  | { readonly kind: "network"; readonly network: Network };

/** An item of the table as a frozen record; InventoryError naming the table and key when it is not one. */
export function decodeItem(item: Item, table: string): DecodedItem {
  const key = item.pk?.S ?? "(no pk)";
  const fail = (problem: string, cause?: unknown): never => {
    throw new InventoryError(`inventory table ${table}: item ${key} ${problem}`, { cause });
  };
  const shape = StoredItemSchema.safeParse(item);
  if (!shape.success) return fail(`is not an inventory item: ${describeIssues(shape.error).join("; ")}`);
  let json: unknown;
  try {
    json = JSON.parse(shape.data.body.S);
  } catch (error) {
    return fail("has a body that is not JSON", error);
  }
  if ("revision" in shape.data) {
    const workload = WorkloadSchema.safeParse(json);
    if (!workload.success) {
      return fail(`is not a valid workload: ${describeIssues(workload.error).join("; ")}`, workload.error);
    }
    if (key !== workloadKey(workload.data.id).pk?.S) fail(`holds workload ${workload.data.id}`);
    const revision = Number(shape.data.revision.N);
    return { kind: "workload", record: Object.freeze({ workload: deepFreeze(workload.data), revision }) };
  }
  const network = NetworkSchema.safeParse(json);
  if (!network.success) {
    return fail(`is not a valid network: ${describeIssues(network.error).join("; ")}`, network.error);
  }
  if (key !== networkKey(network.data.id).pk?.S) fail(`holds network ${network.data.id}`);
  return { kind: "network", network: deepFreeze(network.data) };
}

/** The revision of a workload item as DynamoDB returned it (a condition failure's old item, an update's new attributes). */
export function revisionOf(item: Item | undefined): number | undefined {
  const text = item?.revision?.N;
  return text === undefined ? undefined : Number(text);
}

/** A ConditionExpression with the names and values it uses (DynamoDB refuses unused ones). */
export interface WriteCondition {
  readonly expression: string;
  readonly names: Record<string, string>;
  readonly values: Item;
}

/**
 * The write condition for WriteOptions.expectedRevision (the store's contract): absent for an
 * unconditional write; TypeError for a value that is not a non-negative integer.
 */
export function revisionCondition(expectedRevision: number | undefined): WriteCondition | undefined {
  if (expectedRevision === undefined) return undefined;
  if (!Number.isSafeInteger(expectedRevision) || expectedRevision < 0) {
    throw new TypeError(`expectedRevision must be a non-negative integer, not ${expectedRevision}`);
  }
  if (expectedRevision === 0) return { expression: "attribute_not_exists(pk)", names: {}, values: {} };
  return {
    expression: "#revision = :expected",
    names: { "#revision": "revision" },
    values: { ":expected": { N: String(expectedRevision) } },
  };
}
