import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { get as httpsGet } from "node:https";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { skipUnless } from "./external-tool.js";
import { freeLoopbackPort, superviseChild, waitUntilAnswering } from "./local-server.js";

/** Azurite's Blob service (the npm package `azurite`, a devDependency) on a free loopback port. */
export interface AzuriteBlob {
  /** The well-known development account's blob endpoint: http://127.0.0.1:<port>/devstoreaccount1. */
  readonly endpoint: string;
  /** A connection string with the development account's well-known key, at this endpoint. */
  readonly connectionString: string;
  stop(): Promise<void>;
}

const PROGRAM = "azurite-blob";
const READY_TIMEOUT_MS = 20_000;
/** Azurite's fixed development account and its published key (not a secret). */
export const DEV_ACCOUNT = "devstoreaccount1";
const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** Where azurite-blob's entry point is; undefined when the package is not installed. */
function azuriteBlobMain(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve("azurite/package.json");
    return join(dirname(manifest), "dist", "src", "blob", "main.js");
  } catch {
    return undefined;
  }
}

/** For `describe.skipIf(skipWithoutAzurite("…"))`: see skipUnless. */
export function skipWithoutAzurite(what: string): boolean {
  return skipUnless(azuriteBlobMain() !== undefined, PROGRAM, what, "npm ci (azurite is a devDependency)");
}

/** For OAuth (which Azurite serves over https only): its certificate and key, PEM files. */
export interface AzuriteTls {
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * Plain http with the well-known key; or, given `tls`, https that also takes bearer tokens
 * (`--oauth basic`: issuer, audience and lifetime are checked, the signature is not).
 */
export async function startAzuriteBlob(tls?: AzuriteTls): Promise<AzuriteBlob> {
  const main = azuriteBlobMain();
  if (main === undefined) throw new Error("the azurite package is not installed");
  const port = await freeLoopbackPort();
  const endpoint = `${tls === undefined ? "http" : "https"}://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  // Its own working folder: with --inMemoryPersistence Azurite keeps blobs in memory (and refuses
  // --location), but may still write a debug log or lock file where it runs.
  const workspace = mkdtempSync(join(tmpdir(), "segsync-azurite-"));
  const child = spawn(
    process.execPath,
    [
      main,
      ...["--blobHost", "127.0.0.1", "--blobPort", String(port)],
      ...["--inMemoryPersistence", "--silent", "--disableTelemetry", "--skipApiVersionCheck"],
      ...(tls === undefined ? [] : ["--cert", tls.certFile, "--key", tls.keyFile, "--oauth", "basic"]),
    ],
    { cwd: workspace, stdio: ["ignore", "ignore", "pipe"] },
  );
  const supervised = superviseChild(child);
  const stop = async () => {
    await supervised.stop();
    rmSync(workspace, { recursive: true, force: true });
  };
  try {
    // Any HTTP answer (an unauthenticated listing is refused) means the server is up.
    await waitUntilAnswering(
      PROGRAM,
      `${endpoint}?comp=list`,
      child,
      supervised.diagnostics,
      READY_TIMEOUT_MS,
      tls === undefined ? undefined : (url) => httpsAnswer(url, readFileSync(tls.certFile, "utf8")),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const protocol = tls === undefined ? "http" : "https";
  const connectionString = `DefaultEndpointsProtocol=${protocol};AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};BlobEndpoint=${endpoint};`;
  return { endpoint, connectionString, stop };
}

/** One GET over https that trusts `ca`: resolves on any answer. */
function httpsAnswer(url: string, ca: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = httpsGet(url, { ca, timeout: 1_000 }, (response) => {
      response.resume();
      resolve();
    });
    request.once("timeout", () => request.destroy(new Error("no answer within 1 s")));
    request.once("error", reject);
  });
}
