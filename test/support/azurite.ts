import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { skipUnless } from "./external-tool.js";
import { freeLoopbackPort, stopChild, waitUntilAnswering } from "./local-server.js";

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

export async function startAzuriteBlob(): Promise<AzuriteBlob> {
  const main = azuriteBlobMain();
  if (main === undefined) throw new Error("the azurite package is not installed");
  const port = await freeLoopbackPort();
  const endpoint = `http://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  // Its own working folder: with --inMemoryPersistence Azurite keeps blobs in memory (and refuses
  // --location), but may still write a debug log or lock file where it runs.
  const workspace = mkdtempSync(join(tmpdir(), "segsync-azurite-"));
  const child = spawn(
    process.execPath,
    [
      main,
      ...["--blobHost", "127.0.0.1", "--blobPort", String(port)],
      ...["--inMemoryPersistence", "--silent", "--disableTelemetry", "--skipApiVersionCheck"],
    ],
    { cwd: workspace, stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderrTail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-4_000);
  });
  let spawnError: Error | undefined;
  child.once("error", (error) => {
    spawnError = error;
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const stop = async () => {
    process.removeListener("exit", killOnExit);
    await stopChild(child);
    rmSync(workspace, { recursive: true, force: true });
  };
  try {
    // Any HTTP answer (an unauthenticated listing is refused) means the server is up.
    await waitUntilAnswering(
      PROGRAM,
      `${endpoint}?comp=list`,
      child,
      () => spawnError?.message ?? stderrTail,
      READY_TIMEOUT_MS,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};BlobEndpoint=${endpoint};`;
  return { endpoint, connectionString, stop };
}
