import { spawn } from "node:child_process";
import { onPath, skipWithout } from "./external-tool.js";
import { freeLoopbackPort, superviseChild, waitUntilAnswering } from "./local-server.js";

/** A moto_server child process on a free loopback port. */
export interface MotoServer {
  readonly endpoint: string;
  /** Wipes every emulated resource (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const PROGRAM = "moto_server";
const READY_TIMEOUT_MS = 10_000;

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
  // moto logs every request to stderr: supervised, its tail is kept and the pipe never fills.
  const { diagnostics, stop } = superviseChild(child);
  try {
    await waitUntilAnswering(PROGRAM, `${endpoint}/moto-api/`, child, diagnostics, READY_TIMEOUT_MS);
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
