import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { LogObject } from "../../lib/flows/model.js";
import {
  CorruptGzipError,
  EmptyLocationError,
  InvalidLocationError,
  LocationReadError,
  ObjectReadError,
} from "../../lib/flows/sources/errors.js";
import { type LogSourceOptions, logObjects } from "../../lib/flows/sources/index.js";
import { REPO_ROOT } from "../sim/fixtures.js";
import { type AzuriteBlob, DEV_ACCOUNT, skipWithoutAzurite, startAzuriteBlob } from "../support/azurite.js";
import { skipWithout } from "../support/external-tool.js";
import { collect, contents, namesAndTexts } from "./sources-support.js";

const execFileAsync = promisify(execFile);
/** Azurite waits up to 20 s to answer; a loaded machine can take that long. */
const SERVER_START_MS = 30_000;
const CONTAINER = "insights-logs-flowlogflowevent";
const ORIGIN = `https://${DEV_ACCOUNT}.blob.core.windows.net`;
// The path a VNet flow log writes, one blob an hour per NIC.
const PREFIX =
  "flowLogResourceID=/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKWATCHERS/NETWORKWATCHER_EASTUS/FLOWLOGS/VNETFLOW/y=2024/m=05/d=01/";

function flowLogBlob(hour: number): string {
  const tuple = `171460${hour}000000,10.0.0.4,10.0.1.5,44931,5432,6,O,B,NX,0,0,0,0`;
  return JSON.stringify({
    records: [
      { time: "2024-05-01T00:00:00Z", flowRecords: { flows: [{ flowGroups: [{ flowTuples: [tuple] }] }] } },
    ],
  });
}

describe.skipIf(skipWithoutAzurite("the Azure Blob flow log source tests"))(
  "logObjects: Azure Blob Storage",
  () => {
    let azurite: AzuriteBlob | undefined;
    let container: ContainerClient;
    let options: LogSourceOptions;
    const names: string[] = [];

    beforeAll(async () => {
      azurite = await startAzuriteBlob();
      container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
        CONTAINER,
      );
      await container.create();
      // Five hours under the prefix: read with two blobs a page, they take three pages.
      for (let hour = 0; hour < 5; hour += 1) {
        const name = `${PREFIX}h=0${hour}/m=00/macAddress=000D3A1B2C3D/PT1H.json`;
        names.push(name);
        await upload(name, hour % 2 === 0 ? gzipSync(flowLogBlob(hour)) : flowLogBlob(hour));
      }
      await upload(`${PREFIX}h=09/empty.json`, "");
      await upload("elsewhere/PT1H.json", flowLogBlob(7));
      await upload(
        "corrupt/PT1H.json",
        Buffer.concat([gzipSync(flowLogBlob(0)).subarray(0, 12), Buffer.alloc(40, 9)]),
      );
      options = {
        azure: { pageSize: 2, maxTries: 1 },
        env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
      };
    }, SERVER_START_MS);
    afterAll(async () => {
      await azurite?.stop();
    });

    async function upload(name: string, body: string | Buffer): Promise<void> {
      await container.getBlockBlobClient(name).upload(body, Buffer.byteLength(body));
    }

    it("lists the prefix across pages in name order, and reads each blob plain or gunzipped", async () => {
      // biome-ignore lint/suspicious/noExplicitAny: the SDK's one call per listing page is private
      const segments = vi.spyOn(Object.getPrototypeOf(container) as any, "listBlobFlatSegment");
      try {
        const read = await namesAndTexts(logObjects(`${ORIGIN}/${CONTAINER}/${PREFIX}`, options));
        expect(read).toEqual(
          names.map((name, hour) => [`${ORIGIN}/${CONTAINER}/${name}`, flowLogBlob(hour)]),
        );
        expect(
          segments.mock.calls.map(([, listing]) => (listing as { maxPageSize?: number }).maxPageSize),
        ).toEqual([2, 2, 2]);
      } finally {
        segments.mockRestore();
      }
    });

    it("reads a percent-encoded prefix as the blob names it encodes", async () => {
      const encoded = `${ORIGIN}/${CONTAINER}/${encodeURIComponent("flowLogResourceID=/SUBSCRIPTIONS/")}`;
      expect(await collect(logObjects(encoded, options))).toHaveLength(names.length);
    });

    it("reads the whole container, leaving empty blobs out", async () => {
      const listed = (await collect(logObjects(`${ORIGIN}/${CONTAINER}`, options))).map(
        (object) => object.name,
      );
      expect(listed).toHaveLength(names.length + 2);
      expect(listed).toContain(`${ORIGIN}/${CONTAINER}/elsewhere/PT1H.json`);
      expect(listed).not.toContain(`${ORIGIN}/${CONTAINER}/${PREFIX}h=09/empty.json`);
    });

    it("fails on a corrupt gzip blob with an error naming it", async () => {
      const [object] = await collect(logObjects(`${ORIGIN}/${CONTAINER}/corrupt/`, options));
      const error = await contents(object as LogObject).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CorruptGzipError);
      expect((error as Error).message).toContain(`reading ${ORIGIN}/${CONTAINER}/corrupt/PT1H.json failed`);
    });

    it("a prefix with nothing under it is an error, not an empty read", async () => {
      const location = `${ORIGIN}/${CONTAINER}/flowLogResourceID=/NONE`;
      await expect(collect(logObjects(location, options))).rejects.toThrow(new EmptyLocationError(location));
    });

    it("a missing container is an error naming the location and the storage error code", async () => {
      const error = await collect(logObjects(`${ORIGIN}/no-such-container/x`, options)).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(LocationReadError);
      expect((error as Error).message).toBe(
        `reading ${ORIGIN}/no-such-container/x failed: ContainerNotFound (HTTP 404)`,
      );
    });

    it("a wrong account key is refused, and the message quotes no part of the secret", async () => {
      const wrongKey = Buffer.alloc(64, 1).toString("base64");
      const connectionString = azurite?.connectionString.replace(
        /AccountKey=[^;]+/,
        `AccountKey=${wrongKey}`,
      );
      const error = await collect(
        logObjects(`${ORIGIN}/${CONTAINER}/`, {
          ...options,
          env: { AZURE_STORAGE_CONNECTION_STRING: connectionString },
        }),
      ).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(LocationReadError);
      expect((error as Error).message).toBe(
        `reading ${ORIGIN}/${CONTAINER}/ failed: AuthorizationFailure (HTTP 403)`,
      );
      expect((error as Error).message).not.toContain(wrongKey);
    });

    it("a connection string for another account than the location's is refused", async () => {
      await expect(
        collect(logObjects(`https://otheraccount.blob.core.windows.net/${CONTAINER}/`, options)),
      ).rejects.toThrow(InvalidLocationError);
      await expect(
        collect(logObjects(`https://otheraccount.blob.core.windows.net/${CONTAINER}/`, options)),
      ).rejects.toThrow(
        `it names storage account otheraccount, AZURE_STORAGE_CONNECTION_STRING account ${DEV_ACCOUNT}`,
      );
    });

    it("a blob deleted between listing and opening fails opening, naming it", async () => {
      await upload("gone/PT1H.json", flowLogBlob(1));
      const [object] = await collect(logObjects(`${ORIGIN}/${CONTAINER}/gone/`, options));
      await container.deleteBlob("gone/PT1H.json");
      const error = await (object as LogObject).open().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ObjectReadError);
      expect((error as Error).message).toBe(
        `reading ${ORIGIN}/${CONTAINER}/gone/PT1H.json failed: BlobNotFound (HTTP 404)`,
      );
    });
  },
);

describe.skipIf(
  skipWithoutAzurite("the Azure Blob token credential test") ||
    skipWithout("openssl", "the Azure Blob token credential test", "install openssl"),
)("logObjects: Azure Blob Storage with a token credential", () => {
  let azurite: AzuriteBlob | undefined;
  let certDir: string;
  let certFile: string;

  beforeAll(async () => {
    // A certificate for 127.0.0.1, made for this run: Azurite takes bearer tokens over https only.
    certDir = mkdtempSync(join(tmpdir(), "segsync-azurite-tls-"));
    certFile = join(certDir, "cert.pem");
    const keyFile = join(certDir, "key.pem");
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
        ...["-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=127.0.0.1"],
        ...["-addext", "subjectAltName=IP:127.0.0.1"],
      ],
      { stdio: "ignore" },
    );
    azurite = await startAzuriteBlob({ certFile, keyFile });
  }, SERVER_START_MS);
  afterAll(async () => {
    await azurite?.stop();
    if (certDir !== undefined) rmSync(certDir, { recursive: true, force: true });
  });

  it("reads with the token of the storage scope, and a token Azurite refuses is an error naming the location", async () => {
    const location = `${ORIGIN}/tokens/logs/`;
    const child = join(REPO_ROOT, "test", "flows", "azure-token-child.ts");
    const { stdout } = await execFileAsync(
      process.execPath,
      ["--import", "tsx", child, location, azurite?.endpoint ?? "", "tokens"],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          NODE_EXTRA_CA_CERTS: certFile,
          AZURITE_CONNECTION_STRING: azurite?.connectionString,
          AZURE_STORAGE_CONNECTION_STRING: "",
        },
      },
    );
    expect(JSON.parse(stdout)).toEqual({
      read: [
        [`${ORIGIN}/tokens/logs/a.json`, "plain"],
        [`${ORIGIN}/tokens/logs/b.json`, "gunzipped"],
      ],
      scopes: ["https://storage.azure.com/.default"],
      refused: {
        name: "LocationReadError",
        message: `reading ${location} failed: AuthenticationFailed (HTTP 403)`,
      },
    });
  }, 60_000);
});
