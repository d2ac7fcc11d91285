/** What the test harnesses that start a local server (moto_server, Azurite) share. */
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

const STOP_TIMEOUT_MS = 3_000;

/** A TCP port on 127.0.0.1 that nothing listens on now. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string")
    throw new Error("no free TCP port on the loopback interface");
  return address.port;
}

/** SIGTERM, then SIGKILL if the child has not exited within STOP_TIMEOUT_MS. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
  if (timedOut) {
    child.kill("SIGKILL");
    await exited;
  }
}

/**
 * Polls `url` until the server answers anything over HTTP; fails when the child exits first or
 * `timeoutMs` passes. `diagnostics` gives the spawn error or the tail of the server's stderr;
 * `probe` makes one request (default: fetch), and rejects while nothing answers.
 */
export async function waitUntilAnswering(
  program: string,
  url: string,
  child: ChildProcess,
  diagnostics: () => string,
  timeoutMs: number,
  probe: (url: string) => Promise<unknown> = (target) =>
    fetch(target, { signal: AbortSignal.timeout(1_000) }),
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
      throw new Error(`${program} exited before answering:\n${diagnostics()}`);
    }
    try {
      await probe(url);
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`${program} did not answer on ${url} within ${timeoutMs} ms:\n${diagnostics()}`);
}

/**
 * A started server's child process, watched: its stderr's tail kept (a full pipe would block the
 * server), a spawn error kept, killed if the test process exits first. `diagnostics` says why it
 * did not answer; `stop` stops it and forgets the exit hook.
 */
export function superviseChild(child: ChildProcess): {
  diagnostics: () => string;
  stop: () => Promise<void>;
} {
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
  return {
    diagnostics: () => spawnError?.message ?? stderrTail,
    stop: async () => {
      process.removeListener("exit", killOnExit);
      await stopChild(child);
    },
  };
}
