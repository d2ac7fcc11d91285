/**
 * A function's code asset: its prebuilt bundle (infra/bundling.ts), and for the reconciler the
 * policy file beside it. Files are added in a staging folder named by their content, so a synth
 * with the same policy and bundle reuses it and the asset hash follows what is deployed.
 */
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code } from "aws-cdk-lib/aws-lambda";
import { builtBundleOf, type FunctionName } from "./bundling.js";

/** Files added beside the bundle: name → content. */
export type ExtraFiles = Readonly<Record<string, string>>;

function contentHash(bundle: string, files: readonly string[], extra: ExtraFiles): string {
  const hash = createHash("sha256");
  for (const file of files)
    hash
      .update(file)
      .update("\0")
      .update(readFileSync(join(bundle, file)));
  for (const [name, text] of Object.entries(extra).sort(([a], [b]) => a.localeCompare(b)))
    hash.update(name).update("\0").update(text);
  return hash.digest("hex").slice(0, 32);
}

/** The bundle and the extra files in one folder, written once (atomically: parallel synths may race). */
function stagedWith(bundle: string, extra: ExtraFiles): string {
  const files = readdirSync(bundle).sort();
  const staged = join(tmpdir(), "segsync-function-code", contentHash(bundle, files, extra));
  if (existsSync(staged)) return staged;
  const partial = `${staged}.${process.pid}.${Date.now()}`;
  mkdirSync(partial, { recursive: true });
  for (const file of files) copyFileSync(join(bundle, file), join(partial, file));
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(partial, name), text);
  try {
    renameSync(partial, staged);
  } catch (error) {
    // Another synth staged the same content first: its folder is the same as ours.
    if (!existsSync(staged)) throw error;
  }
  return staged;
}

/** The function's code: its bundle as built, or staged with `extra` files beside it. */
export function functionCode(name: FunctionName, extra: ExtraFiles = {}): Code {
  const bundle = builtBundleOf(name);
  return Code.fromAsset(Object.keys(extra).length === 0 ? bundle : stagedWith(bundle, extra));
}
