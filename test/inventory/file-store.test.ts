import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InventoryFileError } from "../../lib/inventory/errors.js";
import { FileInventoryStore } from "../../lib/inventory/file-store.js";
import { AWS_VPC, AWS_WEB, AZURE_API, awsWeb, azureApi, gcpDb, NETWORKS } from "./fixtures.js";

let directory: string;
let file: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "segsync-file-store-"));
  file = join(directory, "inventory.json");
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function openError(content: string): Promise<InventoryFileError> {
  await writeFile(file, content);
  const error = await FileInventoryStore.open(file).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(InventoryFileError);
  return error as InventoryFileError;
}

function documentWith(workloads: unknown[], networks: unknown[] = []): string {
  return JSON.stringify({ apiVersion: "segsync/v1", kind: "Inventory", workloads, networks });
}

describe("FileInventoryStore persistence", () => {
  it("treats a missing file as empty and creates it on the first write", async () => {
    const store = await FileInventoryStore.open(file);
    expect(await store.snapshot()).toEqual({ workloads: [], networks: [] });
    expect(await readdir(directory)).toEqual([]);
    await store.put(awsWeb());
    expect(await readdir(directory)).toEqual(["inventory.json"]);
  });

  it("keeps records, revisions, deletes and networks across reopen", async () => {
    const first = await FileInventoryStore.open(file);
    await first.put(awsWeb());
    await first.put(awsWeb({ state: "stopped" }));
    await first.put(azureApi());
    await first.put(gcpDb());
    await first.delete(azureApi().id);
    for (const network of NETWORKS) await first.putNetwork(network);

    const second = await FileInventoryStore.open(file);
    expect(await second.list()).toEqual(await first.list());
    expect(await second.get(AWS_WEB)).toEqual({ workload: awsWeb({ state: "stopped" }), revision: 2 });
    expect(await second.get(AZURE_API)).toBeUndefined();
    expect(await second.snapshot()).toEqual(await first.snapshot());
    // Revisions carry on from the file.
    expect((await second.put(awsWeb())).revision).toBe(3);
  });

  it("writes a readable document ordered by id", async () => {
    const store = await FileInventoryStore.open(file);
    await store.put(gcpDb());
    await store.put(awsWeb());
    const document = JSON.parse(await readFile(file, "utf8"));
    expect(document.apiVersion).toBe("segsync/v1");
    expect(document.kind).toBe("Inventory");
    expect(document.workloads.map((record: { workload: { id: string } }) => record.workload.id)).toEqual([
      awsWeb().id,
      gcpDb().id,
    ]);
    expect(document.workloads[0]).toEqual({ revision: 1, workload: awsWeb() });
  });

  it("serializes many concurrent writes without losing one or leaving temporary files", async () => {
    const store = await FileInventoryStore.open(file);
    const ids = Array.from({ length: 40 }, (_, index) => `gcp:shop-prod:us-central1-a:web-${index}`);
    await Promise.all(ids.map((id) => store.put(gcpDb({ id }))));
    expect(await readdir(directory)).toEqual(["inventory.json"]);
    const reopened = await FileInventoryStore.open(file);
    expect((await reopened.list()).map((record) => record.workload.id)).toEqual([...ids].sort());
  });
});

describe("FileInventoryStore failures", () => {
  it("names the file and the parser's reason for invalid JSON", async () => {
    const error = await openError('{"apiVersion": "segsync/v1", ');
    expect(error.file).toBe(file);
    expect(error.message).toContain(`inventory file ${file}: is not valid JSON: `);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it("rejects an empty file: atomic writes never leave one, so something else wrote it", async () => {
    expect((await openError("")).message).toContain("is not valid JSON");
  });

  it("names the JSON path of each bad value", async () => {
    const badNic = { ...awsWeb(), nics: [{ network: AWS_VPC, privateIp: "10.1.0.999" }] };
    const error = await openError(
      documentWith(
        [
          { revision: 1, workload: badNic },
          { revision: 0, workload: gcpDb() },
        ],
        [{ id: "gcp:x" }],
      ),
    );
    expect(error.message).toContain(`inventory file ${file}: has bad content: `);
    expect(error.message).toContain(
      '$.workloads[0].workload.nics[0].privateIp: "10.1.0.999" is not a single',
    );
    expect(error.message).toContain("$.workloads[1].revision: ");
    expect(error.message).toContain('$.networks[0].id: "gcp:x" is not a valid gcp network id');
    expect(error.cause).toBeDefined();
  });

  it("rejects a document of another kind and unknown fields", async () => {
    const foreign = JSON.stringify({ apiVersion: "segsync/v1", kind: "Estate", workloads: [], networks: [] });
    expect((await openError(foreign)).message).toContain("$.kind: ");
    const extra = JSON.stringify({
      apiVersion: "segsync/v1",
      kind: "Inventory",
      workloads: [],
      networks: [],
      x: 1,
    });
    expect((await openError(extra)).message).toMatch(/\$: .*"x"/);
    expect((await openError("[]")).message).toContain("$: ");
  });

  it("rejects a workload listed twice", async () => {
    const error = await openError(
      documentWith([
        { revision: 1, workload: awsWeb() },
        { revision: 4, workload: awsWeb() },
      ]),
    );
    expect(error.message).toContain(`$.workloads[1].workload.id: workload ${AWS_WEB} is listed twice`);
  });

  it("reports a file that cannot be read, with the cause", async () => {
    await mkdir(file);
    const error = await FileInventoryStore.open(file).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(InventoryFileError);
    expect((error as InventoryFileError).message).toContain("cannot be read");
    expect((error as InventoryFileError).cause).toMatchObject({ code: "EISDIR" });
  });

  it("changes nothing when a write fails, and keeps serving later writes", async () => {
    const nested = join(directory, "nested");
    await mkdir(nested);
    const nestedFile = join(nested, "inventory.json");
    const store = await FileInventoryStore.open(nestedFile);
    await store.put(awsWeb());
    await rm(nested, { recursive: true });

    const failed = await store.put(awsWeb({ state: "stopped" })).catch((reason: unknown) => reason);
    expect(failed).toBeInstanceOf(InventoryFileError);
    expect((failed as InventoryFileError).message).toContain(
      `inventory file ${nestedFile}: cannot be written`,
    );
    expect((failed as InventoryFileError).cause).toMatchObject({ code: "ENOENT" });
    await expect(store.putNetwork({ id: AWS_VPC })).rejects.toThrow(InventoryFileError);
    expect(await store.get(AWS_WEB)).toEqual({ workload: awsWeb(), revision: 1 });
    expect(await store.listNetworks()).toEqual([]);

    await mkdir(nested);
    expect((await store.put(awsWeb({ state: "stopped" }))).revision).toBe(2);
    const reopened = await FileInventoryStore.open(nestedFile);
    expect(await reopened.get(AWS_WEB)).toEqual({ workload: awsWeb({ state: "stopped" }), revision: 2 });
  });
});
