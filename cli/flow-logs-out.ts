/**
 * `simulate --flow-logs-out DIR`: the simulated clouds' flow logs, one folder per cloud
 * (`DIR/aws/…log`, `DIR/azure/…json`, `DIR/gcp/…json`), each cloud's files in its own format
 * (docs/flows.md, "Simulated flow logs"). A folder a cloud logged nothing to is made all the same.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CLOUDS } from "../lib/inventory/model.js";
import type { CloudLogFile } from "../sim/traffic/flow-logs.js";
import type { CliIo } from "./io.js";

/** Writes the files; one that cannot be written is one line on stderr and `false` (exit 1). */
export async function writeFlowLogs(
  dir: string,
  files: readonly CloudLogFile[],
  io: CliIo,
): Promise<boolean> {
  let path = dir;
  try {
    for (const cloud of CLOUDS) {
      path = join(dir, cloud);
      await mkdir(path, { recursive: true });
    }
    for (const file of files) {
      path = join(dir, file.cloud, file.name);
      await writeFile(path, file.text);
    }
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    io.err(`segsync simulate: cannot write the flow logs to ${path}: ${reason}\n`);
    return false;
  }
}
