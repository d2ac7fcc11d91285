import { BlobServiceClient } from "@azure/storage-blob";
import { describe, expect, it } from "vitest";
import { skipWithoutAzurite, startAzuriteBlob } from "./azurite.js";

describe.skipIf(skipWithoutAzurite("the Azurite harness tests"))("startAzuriteBlob", () => {
  it("serves the development account on a loopback endpoint, and stops", async () => {
    const azurite = await startAzuriteBlob();
    try {
      expect(azurite.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
      const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
      await service.getContainerClient("harness").create();
      const names: string[] = [];
      for await (const container of service.listContainers()) names.push(container.name);
      expect(names).toEqual(["harness"]);
    } finally {
      await azurite.stop();
    }
    await expect(fetch(`${azurite.endpoint}?comp=list`)).rejects.toThrow();
  });
});
