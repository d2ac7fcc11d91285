/** The invalid policy fixtures: each `<name>.yaml|json` beside `<name>.expected`, the exact CLI/loader output. */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const INVALID_DIR = join(REPO_ROOT, "test", "policy", "invalid");

export interface InvalidFixture {
  /** Relative to the repository root, as the expected lines name it. */
  readonly file: string;
  readonly absolutePath: string;
  /** The expected `file:line:col path: message` lines. */
  readonly expectedLines: readonly string[];
}

export function invalidFixtures(): InvalidFixture[] {
  return readdirSync(INVALID_DIR)
    .filter((name) => /\.(ya?ml|json)$/.test(name))
    .sort()
    .map((name) => {
      const absolutePath = join(INVALID_DIR, name);
      const expectedPath = absolutePath.replace(/\.(ya?ml|json)$/, ".expected");
      const expectedLines = readFileSync(expectedPath, "utf8").split("\n").filter(Boolean);
      return { file: relative(REPO_ROOT, absolutePath), absolutePath, expectedLines };
    });
}

export const EXAMPLES = ["examples/policy.yaml", "examples/policy.json"] as const;
