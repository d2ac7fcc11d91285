/**
 * Log blobs under an Azure Blob Storage prefix, as VNet flow logs are written
 * (`insights-logs-flowlogflowevent/flowLogResourceID=/…/PT1H.json`): listBlobsFlat by prefix,
 * page by page in name order, each blob downloaded only when it is opened, its body streamed.
 * Credentials (docs/flows-sources.md, "Credentials"): the connection string in
 * AZURE_STORAGE_CONNECTION_STRING when it is set (an account key or a SAS; its BlobEndpoint, when
 * it has one, is where the blobs are read), else a token credential (DefaultAzureCredential).
 */

import { Readable } from "node:stream";
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import { BlobServiceClient, type ContainerClient, type StoragePipelineOptions } from "@azure/storage-blob";
import type { LogObject } from "../model.js";
import { InvalidLocationError, LocationReadError, messageOf, ObjectReadError } from "./errors.js";
import type { FlowLogLocation } from "./location.js";
import { listedPages } from "./pages.js";
import { plainText } from "./plain-text.js";

export const CONNECTION_STRING_VARIABLE = "AZURE_STORAGE_CONNECTION_STRING";

export interface AzureBlobSourceOptions {
  /** Used when no connection string is set. Absent: DefaultAzureCredential. */
  readonly credential?: TokenCredential;
  /** With a token credential: the blob endpoint at this URL instead of the account's. */
  readonly endpoint?: string;
  /** Tries per call, first included (the SDK's default: 4). */
  readonly maxTries?: number;
  /** Blobs per listing page (the service's default and most: 5000). */
  readonly pageSize?: number;
}

type BlobLocation = Extract<FlowLogLocation, { kind: "azure-blob" }>;

/** Retries of a download that breaks off midway, each resuming where it stopped. */
const DOWNLOAD_RESUMES = 5;

export async function* azureBlobObjects(
  location: BlobLocation,
  options: AzureBlobSourceOptions,
  env: Readonly<Record<string, string | undefined>>,
): AsyncGenerator<LogObject> {
  const where = `${location.origin}/${location.container}/${location.prefix}`;
  const container = serviceClient(where, location, options, env).getContainerClient(location.container);
  const pages = container.listBlobsFlat({ prefix: location.prefix }).byPage({
    ...(options.pageSize === undefined ? {} : { maxPageSize: options.pageSize }),
  });
  for await (const page of listedPages(where, pages, azureReason)) {
    for (const { name, properties } of page.segment.blobItems) {
      // Empty blobs hold no records; among them a hierarchical namespace's folders.
      if (name.endsWith("/") || properties.contentLength === 0) continue;
      yield blobObject(container, `${location.origin}/${location.container}/${name}`, name);
    }
  }
}

function serviceClient(
  where: string,
  location: BlobLocation,
  options: AzureBlobSourceOptions,
  env: Readonly<Record<string, string | undefined>>,
): BlobServiceClient {
  const pipeline: StoragePipelineOptions = {
    ...(options.maxTries === undefined ? {} : { retryOptions: { maxTries: options.maxTries } }),
  };
  const connectionString = env[CONNECTION_STRING_VARIABLE];
  if (connectionString === undefined || connectionString.trim() === "") {
    const credential = options.credential ?? new DefaultAzureCredential();
    return new BlobServiceClient(options.endpoint ?? location.origin, credential, pipeline);
  }
  let client: BlobServiceClient;
  try {
    client = BlobServiceClient.fromConnectionString(connectionString, pipeline);
  } catch (error) {
    // The SDK's message names the part that is wrong, never its value.
    const reason = `${CONNECTION_STRING_VARIABLE} is not a storage connection string: ${messageOf(error)}`;
    throw new LocationReadError(where, reason, { cause: error });
  }
  if (client.accountName !== location.account) {
    throw new InvalidLocationError(
      where,
      `it names storage account ${location.account}, ${CONNECTION_STRING_VARIABLE} account ${client.accountName}`,
    );
  }
  return client;
}

function blobObject(container: ContainerClient, name: string, blobName: string): LogObject {
  return {
    name,
    async open() {
      let body: NodeJS.ReadableStream | undefined;
      try {
        const download = await container
          .getBlobClient(blobName)
          .download(0, undefined, { maxRetryRequests: DOWNLOAD_RESUMES });
        body = download.readableStreamBody;
      } catch (error) {
        throw new ObjectReadError(name, azureReason(error), { cause: error });
      }
      if (!(body instanceof Readable))
        throw new ObjectReadError(name, "Azure answered without a body stream");
      return plainText(name, body);
    },
  };
}

/** The storage error code and HTTP status; the service's message only when it did not answer. */
function azureReason(error: unknown): string {
  if (typeof error !== "object" || error === null) return String(error);
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  const label = typeof code === "string" && code !== "" ? code : "Error";
  return typeof statusCode === "number" ? `${label} (HTTP ${statusCode})` : `${label}: ${messageOf(error)}`;
}
