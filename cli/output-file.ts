import { writeFile } from "node:fs/promises";
import type { CliIo } from "./io.js";

const WRITE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: "no such directory",
  EISDIR: "it is a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
};

/**
 * Writes a command's output file; one it cannot write is one line on stderr and `false` (the
 * command exits 1), never a stack trace. A closed pipe is left to the program (it ends quietly).
 */
export async function writeOutputFile(
  path: string,
  text: string,
  command: string,
  io: CliIo,
): Promise<boolean> {
  try {
    await writeFile(path, text);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EPIPE") throw error;
    const reason = (code && WRITE_ERRORS[code]) ?? (error instanceof Error ? error.message : String(error));
    io.err(`segsync ${command}: cannot write ${path}: ${reason}\n`);
    return false;
  }
}
