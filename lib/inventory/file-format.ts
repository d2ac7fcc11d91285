/**
 * The file store's on-disk format: one JSON document, records ordered by id so that the file
 * diffs well under version control.
 *
 *   { "apiVersion": "segsync/v1", "kind": "Inventory",
 *     "workloads": [{ "revision": 3, "workload": { "id": ..., "state": ..., "nics": [...], "tags": {...} } }],
 *     "networks": [{ "id": ..., "cidr": ... }] }
 */
import { z } from "zod";
import { InventoryFileError } from "./errors.js";
import { describeIssues } from "./issues.js";
import type { Network } from "./model.js";
import { deepFreeze, sortedById } from "./records.js";
import { addDuplicateIssues, NetworkSchema, WorkloadSchema } from "./schema.js";
import type { WorkloadRecord } from "./store.js";

export interface InventoryFileContent {
  readonly workloads: readonly WorkloadRecord[];
  readonly networks: readonly Network[];
}

const WorkloadRecordSchema = z.strictObject({
  revision: z.number().int().positive(),
  workload: WorkloadSchema,
});

const InventoryFileSchema = z
  .strictObject({
    apiVersion: z.literal("segsync/v1"),
    kind: z.literal("Inventory"),
    workloads: z.array(WorkloadRecordSchema),
    networks: z.array(NetworkSchema),
  })
  .superRefine((content, ctx) => {
    const workloadIds = content.workloads.map((record) => record.workload.id);
    addDuplicateIssues(workloadIds, "workloads", "workload", ctx, ["workload", "id"]);
    addDuplicateIssues(
      content.networks.map((network) => network.id),
      "networks",
      "network",
      ctx,
    );
  });

/** Parses and validates the file's text; throws InventoryFileError naming the JSON path of each problem. */
export function decodeInventoryFile(text: string, file: string): InventoryFileContent {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InventoryFileError(file, `is not valid JSON: ${reason}`, { cause: error });
  }
  const parsed = InventoryFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new InventoryFileError(file, `has bad content: ${describeIssues(parsed.error).join("; ")}`, {
      cause: parsed.error,
    });
  }
  return deepFreeze(parsed.data);
}

export function encodeInventoryFile(content: InventoryFileContent): string {
  const document = {
    apiVersion: "segsync/v1",
    kind: "Inventory",
    workloads: sortedById(content.workloads, (record) => record.workload.id),
    networks: sortedById(content.networks, (network) => network.id),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
