/**
 * Log objects on the local disk: one file, or every file under a folder, depth first, each
 * folder's entries in code-unit order of their names, hidden entries (a name that starts with
 * ".") left out. A symbolic link is followed to a file, never into a folder (no loops).
 */
import { createReadStream, type Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { compareText } from "../../util/compare-text.js";
import type { LogObject } from "../model.js";
import { LocationReadError, messageOf, ObjectReadError } from "./errors.js";
import { plainText } from "./plain-text.js";

export async function* fileObjects(path: string): AsyncGenerator<LogObject> {
  const kind = await entryKind(path);
  if (kind === "file") yield fileObject(path);
  else if (kind === "folder") yield* folderObjects(path);
  else throw new LocationReadError(path, "it is neither a file nor a folder");
}

async function* folderObjects(folder: string): AsyncGenerator<LogObject> {
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    throw new LocationReadError(folder, messageOf(error), { cause: error });
  }
  const visible = entries.filter((entry) => !entry.name.startsWith("."));
  visible.sort((a, b) => compareText(a.name, b.name));
  for (const entry of visible) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* folderObjects(path);
    else if (entry.isFile()) yield fileObject(path);
    else if (entry.isSymbolicLink() && (await entryKind(path)) === "file") yield fileObject(path);
  }
}

/** What `path` is, links followed: a missing path or a broken link is an error naming it. */
async function entryKind(path: string): Promise<"file" | "folder" | "other"> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? "file" : stats.isDirectory() ? "folder" : "other";
  } catch (error) {
    throw new LocationReadError(path, messageOf(error), { cause: error });
  }
}

function fileObject(path: string): LogObject {
  return {
    name: path,
    async open() {
      const stream = createReadStream(path);
      // Opening fails asynchronously: wait for it, so that open() is what rejects.
      await new Promise<void>((resolve, reject) => {
        stream.once("open", () => resolve()).once("error", reject);
      }).catch((error: unknown) => {
        throw new ObjectReadError(path, messageOf(error), { cause: error });
      });
      return plainText(path, stream);
    },
  };
}
