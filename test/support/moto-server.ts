import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { onPath, skipWithout } from "./external-tool.js";

/** A moto_server child process on a free loopback port. */
export interface MotoServer {
  readonly endpoint: string;
  /** Wipes every emulated resource (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const PROGRAM = "moto_server";
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 3_000;

/** Whether moto_server is an executable on PATH. */
export function motoAvailable(): boolean {
  return onPath(PROGRAM);
}

/** For `describe.skipIf(skipWithoutMoto("…"))`: see skipWithout. */
export function skipWithoutMoto(what: string): boolean {
  return skipWithout(PROGRAM, what, "install moto[server]");
}

export async function startMotoServer(): Promise<MotoServer> {
  const port = await freeLoopbackPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(PROGRAM, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  // moto logs every request to stderr: keep reading it (a full pipe would block the server), keep the tail.
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
  };
  try {
    await waitUntilAnswering(endpoint, child, () => spawnError?.message ?? stderrTail);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    endpoint,
    stop,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      if (!response.ok) throw new Error(`moto reset answered HTTP ${response.status}`);
    },
  };
}

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no TCP port for moto_server");
  return address.port;
}

/** `diagnostics` gives the spawn error or the tail of the server's stderr. */
async function waitUntilAnswering(
  endpoint: string,
  child: ChildProcess,
  diagnostics: () => string,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
      throw new Error(`${PROGRAM} exited before answering:\n${diagnostics()}`);
    }
    try {
      await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(
    `${PROGRAM} did not answer on ${endpoint} within ${READY_TIMEOUT_MS} ms:\n${diagnostics()}`,
  );
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
  if (timedOut) {
    child.kill("SIGKILL");
    await exited;
  }
}
