/**
 * The folder of segsync's own package.json: the clone when run from the sources, the installed
 * package (`node_modules/segsync`) when run from `dist/`. The CLI's demo files, the version and the
 * construct's prebuilt function bundles are found from it, never from the working directory.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PackageManifestError } from "./errors.js";

const PACKAGE_NAME = "segsync";

function isOwnManifest(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    const manifest: unknown = JSON.parse(readFileSync(path, "utf8"));
    return (
      typeof manifest === "object" &&
      manifest !== null &&
      "name" in manifest &&
      manifest.name === PACKAGE_NAME
    );
  } catch {
    return false;
  }
}

/** Walks up from `start` (this file's folder by default) to the folder of segsync's package.json. */
export function packageRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let folder = start;
  for (;;) {
    if (isOwnManifest(join(folder, "package.json"))) return folder;
    const parent = dirname(folder);
    if (parent === folder)
      throw new PackageManifestError(`no package.json of ${PACKAGE_NAME} above ${start}`);
    folder = parent;
  }
}

/** The package's version, from its package.json. */
export function packageVersion(root: string = packageRoot()): string {
  const path = join(root, "package.json");
  let manifest: { version?: unknown };
  try {
    manifest = JSON.parse(readFileSync(path, "utf8")) as { version?: unknown };
  } catch (error) {
    throw new PackageManifestError(`${path}: cannot be read as JSON`, { cause: error });
  }
  if (typeof manifest.version !== "string") throw new PackageManifestError(`${path}: no version`);
  return manifest.version;
}
