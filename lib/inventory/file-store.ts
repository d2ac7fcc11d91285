import { randomUUID } from "node:crypto";
import { open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { InventoryFileError } from "./errors.js";
import { decodeInventoryFile, encodeInventoryFile } from "./file-format.js";
import type { Inventory, Network, Workload, WorkloadId } from "./model.js";
import { checkExpectedRevision, inventoryOf, nextRecord, sortedById, validatedNetwork } from "./records.js";
import type { InventoryStore, WorkloadRecord, WriteOptions } from "./store.js";

/**
 * An InventoryStore in one JSON file (format: file-format.ts), for the CLI and local runs.
 *
 * The file is read and validated once, on open; after that this instance is its only writer
 * (one process, one instance per file: other writers are not detected). Writes are serialized
 * and atomic: the whole file is written to a temporary file beside it, flushed, and renamed over
 * it, so a crash leaves either the old or the new inventory, never a torn one. The in-memory
 * state changes only once the file is written, so a failed write changes nothing.
 */
export class FileInventoryStore implements InventoryStore {
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    private workloads: ReadonlyMap<WorkloadId, WorkloadRecord>,
    private networks: ReadonlyMap<string, Network>,
  ) {}

  /** Opens the store; a missing file is an empty inventory, created by the first write. */
  static async open(file: string): Promise<FileInventoryStore> {
    let text: string | undefined;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new InventoryFileError(file, `cannot be read: ${(error as Error).message}`, { cause: error });
      }
    }
    const content = text === undefined ? { workloads: [], networks: [] } : decodeInventoryFile(text, file);
    return new FileInventoryStore(
      file,
      new Map(content.workloads.map((record) => [record.workload.id, record])),
      new Map(content.networks.map((network) => [network.id, network])),
    );
  }

  async get(id: WorkloadId): Promise<WorkloadRecord | undefined> {
    return this.workloads.get(id);
  }

  async list(): Promise<WorkloadRecord[]> {
    return sortedById(this.workloads.values(), (record) => record.workload.id);
  }

  put(workload: Workload, options?: WriteOptions): Promise<WorkloadRecord> {
    return this.serialized(async () => {
      const record = nextRecord(this.workloads.get(workload?.id), workload, options);
      const next = new Map(this.workloads).set(record.workload.id, record);
      await this.persist(next, this.networks);
      this.workloads = next;
      return record;
    });
  }

  delete(id: WorkloadId, options?: WriteOptions): Promise<boolean> {
    return this.serialized(async () => {
      checkExpectedRevision(id, this.workloads.get(id), options);
      if (!this.workloads.has(id)) return false;
      const next = new Map(this.workloads);
      next.delete(id);
      await this.persist(next, this.networks);
      this.workloads = next;
      return true;
    });
  }

  async listNetworks(): Promise<Network[]> {
    return sortedById(this.networks.values(), (network) => network.id);
  }

  putNetwork(network: Network): Promise<void> {
    return this.serialized(async () => {
      const valid = validatedNetwork(network);
      const next = new Map(this.networks).set(valid.id, valid);
      await this.persist(this.workloads, next);
      this.networks = next;
    });
  }

  async snapshot(): Promise<Inventory> {
    return inventoryOf(this.workloads.values(), this.networks.values());
  }

  /** Runs write tasks one at a time, in call order, whether or not earlier ones failed. */
  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.writes.then(task, task);
    this.writes = run.catch(() => undefined);
    return run;
  }

  private async persist(
    workloads: ReadonlyMap<WorkloadId, WorkloadRecord>,
    networks: ReadonlyMap<string, Network>,
  ): Promise<void> {
    const text = encodeInventoryFile({
      workloads: [...workloads.values()],
      networks: [...networks.values()],
    });
    // Same directory as the target, so that rename is atomic (no cross-device move).
    const temporary = join(dirname(this.file), `.${basename(this.file)}.${process.pid}.${randomUUID()}.tmp`);
    try {
      const handle = await open(temporary, "wx");
      try {
        await handle.writeFile(text, "utf8");
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.file);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw new InventoryFileError(this.file, `cannot be written: ${(error as Error).message}`, {
        cause: error,
      });
    }
    await syncDirectory(dirname(this.file));
  }
}

/** Makes the rename durable. Some platforms cannot open a directory for syncing; the rename still happened. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Durability of the rename is best effort beyond this point; its atomicity does not depend on it.
  }
}
