/**
 * The compact inventory snapshot (docs/architecture.md, "Cold start"): every workload record and
 * network as one gzip'd JSON document, cut into chunks that each fit a DynamoDB item, described by
 * a manifest that names the inventory revision it was taken at, its size and its sha256.
 *
 * Decoding trusts nothing it reads: the manifest and the document are checked with zod, the
 * chunks must be complete and hash to the manifest's sha256, and every record is checked against
 * the inventory schema exactly as an item of the table is (dynamodb-items.ts `decodeItem`).
 * Any refusal is an InventorySnapshotError saying why; the caller reads the table in full instead.
 */
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { z } from "zod";
import { InventorySnapshotError } from "./errors.js";
import { describeIssues } from "./issues.js";
import type { Network } from "./model.js";
import { deepFreeze } from "./records.js";
import { addDuplicateIssues, NetworkSchema, WorkloadSchema } from "./schema.js";
import type { WorkloadRecord } from "./store.js";

export const SNAPSHOT_FORMAT = "segsync-inventory-snapshot/v1";

/**
 * The largest document a snapshot may inflate to: ~1.3 million workloads at ~400 bytes each, and
 * half of the reconciler's memory, so that a forged manifest cannot make it allocate more.
 */
export const MAX_RAW_BYTES = 512 * 1024 * 1024;

/** A revision as the store counts them: a positive safe integer. */
const RevisionSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const SnapshotManifestSchema = z.strictObject({
  format: z.literal(SNAPSHOT_FORMAT),
  /** The inventory revision (the table's head item) that the snapshot holds. */
  revision: RevisionSchema,
  chunks: z.number().int().positive().max(10_000),
  /** Compressed bytes over all chunks, and the document's size once decompressed. */
  bytes: z.number().int().positive(),
  rawBytes: z.number().int().positive().max(MAX_RAW_BYTES, "more than a function can inflate"),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "not a hex sha256"),
  workloads: z.number().int().nonnegative(),
  networks: z.number().int().nonnegative(),
});

export type SnapshotManifest = z.infer<typeof SnapshotManifestSchema>;

const SnapshotDocumentSchema = z
  .strictObject({
    format: z.literal(SNAPSHOT_FORMAT),
    revision: RevisionSchema,
    workloads: z.array(z.strictObject({ revision: RevisionSchema, workload: WorkloadSchema })),
    networks: z.array(NetworkSchema),
  })
  .superRefine((document, ctx) => {
    const ids = document.workloads.map((record) => record.workload.id);
    addDuplicateIssues(ids, "workloads", "workload", ctx, ["workload", "id"]);
    addDuplicateIssues(
      document.networks.map((network) => network.id),
      "networks",
      "network",
      ctx,
    );
  });

/** What a snapshot holds: the records and networks at one inventory revision. */
export interface SnapshotContent {
  readonly revision: number;
  readonly records: readonly WorkloadRecord[];
  readonly networks: readonly Network[];
}

export interface EncodedSnapshot {
  readonly manifest: SnapshotManifest;
  readonly chunks: readonly Uint8Array[];
}

/** The content as a manifest and chunks of at most `chunkBytes` compressed bytes each. */
export function encodeSnapshot(content: SnapshotContent, chunkBytes: number): EncodedSnapshot {
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) {
    throw new TypeError(`chunkBytes must be a positive integer, not ${chunkBytes}`);
  }
  const document = {
    format: SNAPSHOT_FORMAT,
    revision: content.revision,
    workloads: content.records.map(({ revision, workload }) => ({ revision, workload })),
    networks: content.networks,
  };
  const raw = Buffer.from(JSON.stringify(document));
  const compressed = gzipSync(raw);
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < compressed.length; start += chunkBytes) {
    chunks.push(compressed.subarray(start, start + chunkBytes));
  }
  const manifest: SnapshotManifest = {
    format: SNAPSHOT_FORMAT,
    revision: content.revision,
    chunks: chunks.length,
    bytes: compressed.length,
    rawBytes: raw.length,
    sha256: sha256(compressed),
    workloads: content.records.length,
    networks: content.networks.length,
  };
  return { manifest, chunks };
}

/** The manifest as stored (JSON text), checked; InventorySnapshotError when it is not one. */
export function parseManifest(text: string): SnapshotManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InventorySnapshotError("its manifest is not JSON", { cause: error });
  }
  const parsed = SnapshotManifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new InventorySnapshotError(`its manifest is not valid: ${describeIssues(parsed.error).join("; ")}`);
  }
  return parsed.data;
}

/**
 * The content of chunks the manifest describes, in order (a missing one: undefined), checked
 * against the manifest and the inventory schema.
 */
export function decodeSnapshot(
  manifest: SnapshotManifest,
  chunks: readonly (Uint8Array | undefined)[],
): SnapshotContent {
  const compressed = joinChunks(manifest, chunks);
  if (sha256(compressed) !== manifest.sha256) {
    throw new InventorySnapshotError("its chunks do not match the manifest's sha256");
  }
  let json: unknown;
  try {
    // The manifest's size bounds the output: a forged document cannot inflate without limit.
    json = JSON.parse(gunzipSync(compressed, { maxOutputLength: manifest.rawBytes }).toString("utf8"));
  } catch (error) {
    throw new InventorySnapshotError("its document does not decompress to JSON", { cause: error });
  }
  const parsed = SnapshotDocumentSchema.safeParse(json);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error).slice(0, 5);
    throw new InventorySnapshotError(`its document is not valid: ${issues.join("; ")}`);
  }
  const document = parsed.data;
  if (document.revision !== manifest.revision) {
    throw new InventorySnapshotError(
      `its document is at revision ${document.revision}, its manifest at ${manifest.revision}`,
    );
  }
  if (document.workloads.length !== manifest.workloads || document.networks.length !== manifest.networks) {
    throw new InventorySnapshotError("its document does not hold the records its manifest counts");
  }
  return {
    revision: document.revision,
    records: document.workloads.map((record) =>
      Object.freeze({ ...record, workload: deepFreeze(record.workload) }),
    ),
    networks: document.networks.map((network) => deepFreeze(network)),
  };
}

function joinChunks(manifest: SnapshotManifest, chunks: readonly (Uint8Array | undefined)[]): Buffer {
  if (chunks.length !== manifest.chunks) {
    throw new InventorySnapshotError(`it has ${chunks.length} chunks, its manifest says ${manifest.chunks}`);
  }
  const missing = chunks.indexOf(undefined);
  if (missing >= 0) throw new InventorySnapshotError(`its chunk ${missing} is missing`);
  const joined = Buffer.concat(chunks as Uint8Array[]);
  if (joined.length !== manifest.bytes) {
    throw new InventorySnapshotError(
      `its chunks hold ${joined.length} bytes, its manifest says ${manifest.bytes}`,
    );
  }
  return joined;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
