/**
 * The compact snapshot's bookkeeping for DynamoDbInventoryStore (item layout: dynamodb-snapshot.ts).
 *
 * The keeper holds a view of the whole table (every record and network, and the inventory
 * revision they are at), taken from a snapshot or a full read and kept up to date by the store's
 * own writes. `save` writes that view as the next snapshot. The view is dropped, and no snapshot
 * is written until the next full read, whenever it may differ from the table: a write whose
 * outcome is unknown, or a revision that moved by more than this store's own writes (another
 * writer). The deployed pipeline has one writer (the reconciler, reserved concurrency 1).
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { MAX_ITEM_BYTES } from "./dynamodb-items.js";
import {
  advanceRevision,
  CHUNK_OVERHEAD_BYTES,
  commitManifest,
  type Head,
  readChunks,
  readHead,
  writeChunks,
} from "./dynamodb-snapshot.js";
import { InventorySnapshotError } from "./errors.js";
import type { Network, WorkloadId } from "./model.js";
import {
  decodeSnapshot,
  encodeSnapshot,
  parseManifest,
  type SnapshotContent,
  type SnapshotManifest,
} from "./snapshot-codec.js";
import type { WorkloadRecord } from "./store.js";

/** What the keeper did, for the function's logs and metrics. */
export type SnapshotEvent =
  | {
      readonly kind: "loaded-snapshot";
      readonly revision: number;
      readonly workloads: number;
      readonly chunks: number;
      readonly bytes: number;
      /** Reading and checking it, in milliseconds. */
      readonly ms: number;
    }
  /** The table was read in full: `reason` says why the snapshot was not used. */
  | { readonly kind: "full-read"; readonly reason: string; readonly workloads: number; readonly ms: number }
  | {
      readonly kind: "saved";
      readonly revision: number;
      readonly workloads: number;
      readonly chunks: number;
      readonly bytes: number;
    }
  | { readonly kind: "not-saved"; readonly reason: string };

export interface SnapshotOptions {
  /** Compressed bytes per chunk item; default: what fits DynamoDB's 400 KB item. */
  readonly chunkBytes?: number;
  readonly report?: (event: SnapshotEvent) => void;
}

export const DEFAULT_CHUNK_BYTES = MAX_ITEM_BYTES - CHUNK_OVERHEAD_BYTES;

interface View {
  revision: number;
  readonly records: Map<WorkloadId, WorkloadRecord>;
  readonly networks: Map<string, Network>;
}

export class SnapshotKeeper {
  private view: View | undefined;
  /** The head's revision has been advanced for the writes since the view was loaded or saved. */
  private advanced = false;
  /** The table holds a snapshot of the view as it is now. */
  private current = false;
  private advancing: Promise<number> | undefined;
  /** Writes begun and not yet ended: the view may lack them. */
  private inFlight = 0;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly options: SnapshotOptions,
  ) {}

  /**
   * The snapshot the head names, if it holds the table as it is now; otherwise `fullRead()`.
   * Either way the result becomes the view.
   */
  async load(fullRead: () => Promise<Omit<SnapshotContent, "revision">>): Promise<SnapshotContent> {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    const head = await readHead(this.client, this.table);
    let refusal: InventorySnapshotError;
    try {
      const { content, manifest } = await this.readSnapshot(head);
      this.adopt(content, true);
      const { revision, chunks, bytes } = manifest;
      const workloads = content.records.length;
      this.report({ kind: "loaded-snapshot", revision, workloads, chunks, bytes, ms: ms() });
      return content;
    } catch (error) {
      if (!(error instanceof InventorySnapshotError)) throw error;
      refusal = error;
    }
    const { records, networks } = await fullRead();
    const after = await readHead(this.client, this.table);
    const content = { revision: head.revision, records, networks };
    // A write during the scan: what it read may be neither before nor after it.
    if (after.revision === head.revision && head.revision >= 0) this.adopt(content, false);
    else this.view = undefined;
    const reason = `snapshot not used: ${refusal.message}`;
    this.report({ kind: "full-read", reason, workloads: records.length, ms: ms() });
    return content;
  }

  private async readSnapshot(head: Head): Promise<{ content: SnapshotContent; manifest: SnapshotManifest }> {
    if (head.revision < 0) throw new InventorySnapshotError("the table's head item is not valid");
    if (head.manifest === undefined) {
      throw new InventorySnapshotError(
        head.revision === 0 ? "there is none yet" : "there is none for the inventory as it is now",
      );
    }
    const manifest = parseManifest(head.manifest);
    if (manifest.revision !== head.revision) {
      throw new InventorySnapshotError(
        `it is at revision ${manifest.revision}, the inventory at ${head.revision}`,
      );
    }
    const content = decodeSnapshot(manifest, await readChunks(this.client, this.table, manifest));
    return { content, manifest };
  }

  private adopt(content: SnapshotContent, current: boolean): void {
    this.view = {
      revision: content.revision,
      records: new Map(content.records.map((record) => [record.workload.id, record])),
      networks: new Map(content.networks.map((network) => [network.id, network])),
    };
    this.advanced = false;
    this.current = current;
  }

  /**
   * Before the store writes (`afterWrite` when it is done, whatever the outcome): the first write
   * after a load or a save advances the head's revision.
   */
  async beforeWrite(): Promise<void> {
    this.inFlight++;
    if (this.advanced) return;
    // Concurrent writes share one advance: two would look like another writer's.
    this.advancing ??= advanceRevision(this.client, this.table).finally(() => {
      this.advancing = undefined;
    });
    const revision = await this.advancing;
    if (this.advanced) return;
    this.advanced = true;
    this.current = false;
    if (this.view === undefined) return;
    if (revision === this.view.revision + 1) this.view.revision = revision;
    else this.view = undefined; // another writer advanced it too
  }

  afterWrite(): void {
    this.inFlight--;
  }

  /** After a write the table confirmed: the view follows it. */
  written(change: { record: WorkloadRecord } | { deleted: WorkloadId } | { network: Network }): void {
    if (this.view === undefined) return;
    if ("record" in change) this.view.records.set(change.record.workload.id, change.record);
    else if ("deleted" in change) this.view.records.delete(change.deleted);
    else this.view.networks.set(change.network.id, change.network);
  }

  /** After a write that may or may not have happened: the view is no longer known to be the table's. */
  uncertain(): void {
    this.view = undefined;
  }

  /**
   * Writes the view as the table's snapshot, unless there is none to write (reported as
   * not-saved, with why). Chunks first, the manifest last and only if the head is still at the
   * view's revision.
   */
  async save(): Promise<SnapshotEvent> {
    const event = await this.trySave();
    this.report(event);
    return event;
  }

  private async trySave(): Promise<SnapshotEvent> {
    if (this.view === undefined) {
      return { kind: "not-saved", reason: "the store's view of the table is not known to be whole" };
    }
    if (this.current) return { kind: "not-saved", reason: "the stored snapshot is current" };
    if (this.inFlight > 0) return { kind: "not-saved", reason: "writes are under way" };
    // A table never written with snapshots on has no head yet: give it one.
    if (this.view.revision === 0) {
      await this.beforeWrite();
      this.afterWrite();
    }
    const view = this.view;
    if (view === undefined || this.inFlight > 0) {
      return { kind: "not-saved", reason: "the table changed while the snapshot was being taken" };
    }
    // From here a write advances the revision again, so that the manifest's condition fails.
    this.advanced = false;
    const content: SnapshotContent = {
      revision: view.revision,
      records: [...view.records.values()],
      networks: [...view.networks.values()],
    };
    const { manifest, chunks } = encodeSnapshot(content, this.options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
    await writeChunks(this.client, this.table, view.revision, chunks);
    if (!(await commitManifest(this.client, this.table, manifest))) {
      // The view stays: if another writer moved the head, this store's next write will see it.
      return { kind: "not-saved", reason: `the inventory moved past revision ${view.revision} meanwhile` };
    }
    this.advanced = false;
    this.current = true;
    const { revision, bytes } = manifest;
    return { kind: "saved", revision, workloads: content.records.length, chunks: chunks.length, bytes };
  }

  private report(event: SnapshotEvent): void {
    this.options.report?.(event);
  }
}
