/**
 * The InventoryStore contract, written once and run against every implementation: memory and
 * file (store-contract.test.ts), DynamoDB on moto (dynamodb-store.moto.test.ts). A fresh, empty
 * store per test.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  InvalidNetworkError,
  InvalidWorkloadError,
  InventoryConflictError,
} from "../../lib/inventory/errors.js";
import type { Workload } from "../../lib/inventory/model.js";
import { InventorySchema } from "../../lib/inventory/schema.js";
import type { InventoryStore } from "../../lib/inventory/store.js";
import {
  AWS_VPC,
  AWS_WEB,
  AZURE_API,
  awsWeb,
  azureApi,
  GCP_DB,
  gcpDb,
  NETWORKS,
} from "../inventory/fixtures.js";
import { NotRun } from "./not-run.js";

export interface StoreKind {
  readonly name: string;
  /** A fresh, empty store; `directory` is a new temporary directory for this test. */
  readonly create: (directory: string) => Promise<InventoryStore>;
  /**
   * Whether the backend serialises concurrent conditional writes, as DynamoDB does. moto's server
   * does not always: under load two conditional puts expecting the same revision can both succeed
   * there (seen in CI). Its stores do not run the two races below (not-run.ts); the conditions segsync sends are
   * pinned by test/inventory/dynamodb-store.test.ts, and the races run on every other store.
   */
  readonly serialisesConcurrentWrites?: boolean;
}

async function conflictOf(promise: Promise<unknown>): Promise<InventoryConflictError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(InventoryConflictError);
  return error as InventoryConflictError;
}

function withCounter(workload: Workload, counter: number): Workload {
  return { ...workload, tags: { ...workload.tags, counter: String(counter) } };
}

export function describeInventoryStoreContract({
  name,
  create,
  serialisesConcurrentWrites = true,
}: StoreKind): void {
  const raceReason = serialisesConcurrentWrites
    ? undefined
    : "the backend does not always serialise concurrent conditional writes";
  const notRun = new NotRun(name, [raceReason]);
  describe(`InventoryStore contract: ${name}`, () => {
    let directory: string;
    let store: InventoryStore;

    beforeEach(async () => {
      directory = await mkdtemp(join(tmpdir(), "segsync-store-"));
      store = await create(directory);
    });

    afterEach(async () => {
      await rm(directory, { recursive: true, force: true });
    });

    notRun.group("reads and writes", () => {
      it("starts empty", async () => {
        expect(await store.get(AWS_WEB)).toBeUndefined();
        expect(await store.list()).toEqual([]);
        expect(await store.listNetworks()).toEqual([]);
        expect(await store.snapshot()).toEqual({ workloads: [], networks: [] });
      });

      it("creates a record at revision 1 and adds one per put", async () => {
        expect(await store.put(awsWeb())).toEqual({ workload: awsWeb(), revision: 1 });
        expect(await store.put(awsWeb({ state: "stopped" }))).toEqual({
          workload: awsWeb({ state: "stopped" }),
          revision: 2,
        });
        expect(await store.get(AWS_WEB)).toEqual({ workload: awsWeb({ state: "stopped" }), revision: 2 });
      });

      it("lists records ordered by id, whatever the order of the puts", async () => {
        await store.put(gcpDb());
        await store.put(awsWeb());
        await store.put(azureApi());
        await store.put(gcpDb());
        const records = await store.list();
        expect(records.map((record) => [record.workload.id, record.revision])).toEqual([
          [AWS_WEB, 1],
          [AZURE_API, 1],
          [GCP_DB, 2],
        ]);
      });

      it("stores a copy: neither the caller's object nor a returned record can change what is stored", async () => {
        const workload = { ...awsWeb(), tags: { ...awsWeb().tags } };
        const record = await store.put(workload);
        workload.tags["seg-role"] = "db";
        expect(Object.isFrozen(record.workload.tags)).toBe(true);
        expect(() => {
          (record.workload.nics as unknown[]).push({});
        }).toThrow(TypeError);
        expect((await store.get(AWS_WEB))?.workload.tags["seg-role"]).toBe("web");
      });

      it("rejects an invalid workload and stores nothing", async () => {
        const invalid = awsWeb({ nics: [] });
        await expect(store.put(invalid)).rejects.toThrow(InvalidWorkloadError);
        await expect(store.put(invalid)).rejects.toThrow("$.nics: a workload has at least one NIC");
        await expect(store.put({ ...awsWeb(), id: "aws:bad" })).rejects.toThrow(InvalidWorkloadError);
        expect(await store.list()).toEqual([]);
      });

      it("deletes, reports whether the record existed, and restarts revisions after a delete", async () => {
        await store.put(awsWeb());
        await store.put(awsWeb());
        expect(await store.delete(AWS_WEB)).toBe(true);
        expect(await store.delete(AWS_WEB)).toBe(false);
        expect(await store.get(AWS_WEB)).toBeUndefined();
        expect((await store.put(awsWeb())).revision).toBe(1);
      });

      it("upserts networks by id and lists them ordered by id", async () => {
        for (const network of [...NETWORKS].reverse()) await store.putNetwork(network);
        await store.putNetwork({ id: AWS_VPC, cidr: "10.9.0.0/16" });
        const networks = await store.listNetworks();
        expect(networks.map((network) => network.id)).toEqual(NETWORKS.map((network) => network.id).sort());
        expect(networks.find((network) => network.id === AWS_VPC)).toEqual({
          id: AWS_VPC,
          cidr: "10.9.0.0/16",
        });
      });

      it("rejects an invalid network and stores nothing", async () => {
        await expect(store.putNetwork({ id: "gcp:shop-prod:prod-net", cidr: "10.3.0.1/16" })).rejects.toThrow(
          InvalidNetworkError,
        );
        expect(await store.listNetworks()).toEqual([]);
      });

      it("snapshots the whole inventory, valid and ordered by id", async () => {
        await store.put(gcpDb());
        await store.put(awsWeb());
        for (const network of NETWORKS) await store.putNetwork(network);
        const snapshot = await store.snapshot();
        expect(snapshot).toEqual({ workloads: [awsWeb(), gcpDb()], networks: [...NETWORKS] });
        expect(InventorySchema.safeParse(snapshot).success).toBe(true);
      });
    });

    notRun.group("optimistic concurrency", () => {
      it("creates only if absent with expectedRevision 0", async () => {
        expect((await store.put(awsWeb(), { expectedRevision: 0 })).revision).toBe(1);
        const conflict = await conflictOf(store.put(awsWeb({ state: "stopped" }), { expectedRevision: 0 }));
        expect(conflict).toMatchObject({ workloadId: AWS_WEB, expectedRevision: 0, actualRevision: 1 });
        expect(conflict.message).toBe(
          `workload ${AWS_WEB} was expected to be absent, but it is at revision 1`,
        );
        expect((await store.get(AWS_WEB))?.workload.state).toBe("running");
      });

      it("writes at the expected revision and refuses a stale one without changing anything", async () => {
        await store.put(awsWeb());
        expect((await store.put(awsWeb({ state: "stopped" }), { expectedRevision: 1 })).revision).toBe(2);
        const conflict = await conflictOf(store.put(awsWeb(), { expectedRevision: 1 }));
        expect(conflict).toMatchObject({ expectedRevision: 1, actualRevision: 2 });
        expect(await store.get(AWS_WEB)).toEqual({ workload: awsWeb({ state: "stopped" }), revision: 2 });
      });

      it("refuses an update of a record that does not exist", async () => {
        const conflict = await conflictOf(store.put(awsWeb(), { expectedRevision: 3 }));
        expect(conflict.actualRevision).toBeUndefined();
        expect(conflict.message).toBe(
          `workload ${AWS_WEB} was expected at revision 3, but it does not exist`,
        );
        expect(await store.get(AWS_WEB)).toBeUndefined();
      });

      it("checks deletes too", async () => {
        await store.put(awsWeb());
        await store.put(awsWeb());
        expect((await conflictOf(store.delete(AWS_WEB, { expectedRevision: 1 }))).actualRevision).toBe(2);
        expect(await store.get(AWS_WEB)).toBeDefined();
        expect(await store.delete(AWS_WEB, { expectedRevision: 2 })).toBe(true);
        expect(await store.delete(AWS_WEB, { expectedRevision: 0 })).toBe(false);
        expect(
          (await conflictOf(store.delete(AWS_WEB, { expectedRevision: 2 }))).actualRevision,
        ).toBeUndefined();
      });

      it("refuses an expectedRevision that is not a non-negative integer", async () => {
        await expect(store.put(awsWeb(), { expectedRevision: -1 })).rejects.toThrow(TypeError);
        await expect(store.put(awsWeb(), { expectedRevision: 0.5 })).rejects.toThrow(TypeError);
        expect(await store.list()).toEqual([]);
      });

      it("lets exactly one of several concurrent writers at the same revision win", async () => {
        await store.put(awsWeb());
        const writers = Array.from({ length: 8 }, (_, index) =>
          store.put(withCounter(awsWeb(), index), { expectedRevision: 1 }),
        );
        const results = await Promise.allSettled(writers);
        const fulfilled = results.filter((result) => result.status === "fulfilled");
        const rejected = results.filter((result) => result.status === "rejected");
        expect(fulfilled).toHaveLength(1);
        expect(rejected).toHaveLength(7);
        for (const result of rejected) expect(result.reason).toBeInstanceOf(InventoryConflictError);
        const winner = fulfilled[0]?.status === "fulfilled" ? fulfilled[0].value : undefined;
        expect(winner?.revision).toBe(2);
        expect(await store.get(AWS_WEB)).toEqual(winner);
      });

      it("lets exactly one of a concurrent delete and update at the same revision win", async () => {
        await store.put(awsWeb());
        const [deleted, updated] = await Promise.allSettled([
          store.delete(AWS_WEB, { expectedRevision: 1 }),
          store.put(awsWeb({ state: "stopped" }), { expectedRevision: 1 }),
        ]);
        expect([deleted?.status, updated?.status].sort()).toEqual(["fulfilled", "rejected"]);
        const stored = await store.get(AWS_WEB);
        if (deleted?.status === "fulfilled") expect(stored).toBeUndefined();
        else expect(stored?.revision).toBe(2);
      });

      notRun.case(
        raceReason,
        "gives concurrent unconditional puts distinct, consecutive revisions",
        async () => {
          const records = await Promise.all(
            Array.from({ length: 10 }, (_, index) => store.put(withCounter(awsWeb(), index))),
          );
          expect(records.map((record) => record.revision).sort((a, b) => a - b)).toEqual([
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
          ]);
          expect((await store.get(AWS_WEB))?.revision).toBe(10);
        },
      );

      notRun.case(
        raceReason,
        "loses no update when concurrent read-modify-write loops retry on conflict",
        async () => {
          await store.put(withCounter(awsWeb(), 0));
          const increment = async (): Promise<void> => {
            for (;;) {
              const current = await store.get(AWS_WEB);
              if (!current) throw new Error("the record vanished");
              const next = withCounter(current.workload, Number(current.workload.tags.counter) + 1);
              try {
                await store.put(next, { expectedRevision: current.revision });
                return;
              } catch (error) {
                if (!(error instanceof InventoryConflictError)) throw error;
              }
            }
          };
          await Promise.all(Array.from({ length: 12 }, increment));
          const final = await store.get(AWS_WEB);
          expect(final?.workload.tags.counter).toBe("12");
          expect(final?.revision).toBe(13);
        },
      );

      it("keeps concurrent writes to different workloads and networks", async () => {
        await Promise.all([
          store.put(awsWeb()),
          store.put(azureApi()),
          store.put(gcpDb()),
          ...NETWORKS.map((network) => store.putNetwork(network)),
        ]);
        const snapshot = await store.snapshot();
        expect(snapshot.workloads).toHaveLength(3);
        expect(snapshot.networks).toHaveLength(NETWORKS.length);
      });
    });
    notRun.report();
  });
}
