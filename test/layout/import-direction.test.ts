/** Issue 14: imports point one way (lib ← sim ← cli; lib ← lambdas, infra) and form no cycle; the check, and the repository passing it. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  addingACloudProblems,
  cloudNeutralProblems,
  directionProblems,
  filesNamingClouds,
  importCycles,
  importsOf,
  listedFiles,
  type SourceFile,
} from "../../scripts/import-direction.js";

function edgesOf(files: readonly SourceFile[]) {
  const known = new Set(files.map((file) => file.path));
  return files.flatMap((file) => importsOf(file, known));
}

describe("importsOf", () => {
  it("resolves static, type-only, re-exported and dynamic relative imports to repository files, with their lines", () => {
    const files: SourceFile[] = [
      {
        path: "cli/main.ts",
        text: [
          'import { a } from "../lib/a.js";',
          'import type { B } from "../sim/b.js";',
          'export { c } from "./c.js";',
          'const d = await import("../lib/d.js");',
          'import { z } from "zod";',
          'import { gone } from "./missing.js";',
        ].join("\n"),
      },
      { path: "lib/a.ts", text: "" },
      { path: "sim/b.ts", text: "" },
      { path: "cli/c.ts", text: "" },
      { path: "lib/d.ts", text: "" },
    ];
    expect(edgesOf(files)).toEqual([
      { from: "cli/main.ts", to: "lib/a.ts", line: 1 },
      { from: "cli/main.ts", to: "sim/b.ts", line: 2 },
      { from: "cli/main.ts", to: "cli/c.ts", line: 3 },
      { from: "cli/main.ts", to: "lib/d.ts", line: 4 },
    ]);
  });
});

describe("directionProblems", () => {
  it("refuses lib importing sim, cli, lambdas or infra, and lambdas or infra importing sim or cli", () => {
    const files: SourceFile[] = [
      { path: "lib/core.ts", text: 'import "../sim/x.js";\nimport "../cli/y.js";\nimport "../infra/z.js";' },
      { path: "lambdas/handler.ts", text: 'import "../lib/core.js";\nimport "../sim/x.js";' },
      { path: "infra/z.ts", text: 'import "../cli/y.js";\nimport "../lambdas/handler.js";' },
      { path: "sim/x.ts", text: 'import "../lib/core.js";' },
      { path: "cli/y.ts", text: 'import "../sim/x.js";\nimport "../lib/core.js";' },
      { path: "test/t.test.ts", text: 'import "../cli/y.js";\nimport "../sim/x.js";' },
    ];
    expect(directionProblems(edgesOf(files))).toEqual([
      "lib/core.ts:1: lib/ imports sim/ (sim/x.ts), against the direction",
      "lib/core.ts:2: lib/ imports cli/ (cli/y.ts), against the direction",
      "lib/core.ts:3: lib/ imports infra/ (infra/z.ts), against the direction",
      "lambdas/handler.ts:2: lambdas/ imports sim/ (sim/x.ts), against the direction",
      "infra/z.ts:1: infra/ imports cli/ (cli/y.ts), against the direction",
      "infra/z.ts:2: infra/ imports lambdas/ (lambdas/handler.ts), against the direction",
    ]);
  });
});

describe("cloudNeutralProblems", () => {
  it("refuses lib/reconcile importing a single cloud's folder, and allows the port, the registry and common/", () => {
    const files: SourceFile[] = [
      {
        path: "lib/reconcile/batch.ts",
        text: [
          'import type { AzureConnection } from "../clouds/azure/provider.js";',
          'import type { CloudProvider } from "../clouds/provider.js";',
          'import { retryableFlag } from "../clouds/common/retryable.js";',
          'import { createProviders } from "../clouds/registry.js";',
          'import { GcpAccessError } from "../clouds/gcp/errors.js";',
        ].join("\n"),
      },
      { path: "lib/live/connect.ts", text: 'import "../clouds/aws/sdk/api.js";' },
      { path: "lib/clouds/azure/provider.ts", text: "" },
      { path: "lib/clouds/gcp/errors.ts", text: "" },
      { path: "lib/clouds/aws/sdk/api.ts", text: "" },
      { path: "lib/clouds/provider.ts", text: "" },
      { path: "lib/clouds/registry.ts", text: "" },
      { path: "lib/clouds/common/retryable.ts", text: "" },
    ];
    expect(cloudNeutralProblems(edgesOf(files), ["aws", "azure", "gcp"])).toEqual([
      "lib/reconcile/batch.ts:1: lib/reconcile/ imports a single cloud (lib/clouds/azure/provider.ts); go through the CloudProvider port",
      "lib/reconcile/batch.ts:5: lib/reconcile/ imports a single cloud (lib/clouds/gcp/errors.ts); go through the CloudProvider port",
    ]);
  });
});

describe("importCycles", () => {
  it("finds each cycle among production files once, type-only imports included, and ignores tests", () => {
    const files: SourceFile[] = [
      { path: "lib/a.ts", text: 'import type { B } from "./b.js";' },
      { path: "lib/b.ts", text: 'import { c } from "./c.js";' },
      { path: "lib/c.ts", text: 'import { a } from "./a.js";' },
      { path: "lib/d.ts", text: 'import { d } from "./d.js";' },
      { path: "lib/e.ts", text: 'import { a } from "./a.js";' },
      { path: "test/x.test.ts", text: 'import "./y.js";' },
      { path: "test/y.ts", text: 'import "./x.test.js";' },
    ];
    expect(importCycles(edgesOf(files))).toEqual([["lib/a.ts", "lib/b.ts", "lib/c.ts"], ["lib/d.ts"]]);
  });
});

describe("Adding a cloud", () => {
  const CLOUDS = ["aws", "gcp"];
  const files: SourceFile[] = [
    { path: "lib/clouds/registry.ts", text: 'import "./aws/provider.js";\nimport "./gcp/provider.js";' },
    { path: "lib/clouds/aws/provider.ts", text: 'import "../gcp/model.js";' },
    { path: "lib/clouds/gcp/provider.ts", text: 'import "./model.js";' },
    { path: "lib/clouds/gcp/model.ts", text: "" },
    { path: "lib/clouds/places.ts", text: 'import "./registry.js";' },
    { path: "sim/estate.ts", text: 'import "./clouds/gcp/check.js";' },
    { path: "sim/clouds/gcp/check.ts", text: "" },
    { path: "lambdas/aws-events.ts", text: 'import "../lib/clouds/aws/provider.js";' },
    { path: "lambdas/gcp-events.ts", text: 'import "../lib/clouds/gcp/provider.js";' },
    { path: "test/x.test.ts", text: 'import "../lib/clouds/aws/provider.js";' },
  ];
  const section = [
    "# Architecture",
    "### Adding a cloud",
    "- `lib/clouds/registry.ts`: its provider.",
    "- `lambdas/<cloud>-events.ts`: its ingest function.",
    "- `lib/gone.ts`: a file that moved.",
    "### Next",
    "- `sim/estate.ts`: listed under another heading.",
  ].join("\n");

  it("names the production files outside the cloud folders that import from one, tests and the folders themselves left out", () => {
    expect(filesNamingClouds(edgesOf(files), CLOUDS)).toEqual([
      "lambdas/aws-events.ts",
      "lambdas/gcp-events.ts",
      "lib/clouds/registry.ts",
      "sim/estate.ts",
    ]);
  });

  it("reads the section's list, and only that section's", () => {
    expect(listedFiles(section)).toEqual([
      "lib/clouds/registry.ts",
      "lambdas/<cloud>-events.ts",
      "lib/gone.ts",
    ]);
  });

  it("fails on a file missing from the list and on a listed file that does not exist; <cloud> stands for each cloud", () => {
    const exists = (path: string) => files.some((file) => file.path === path);
    expect(addingACloudProblems(edgesOf(files), CLOUDS, section, exists)).toEqual([
      'sim/estate.ts imports from a cloud\'s folder: list it in docs/architecture.md, "Adding a cloud"',
      'docs/architecture.md, "Adding a cloud", lists lib/gone.ts, which does not exist',
    ]);
  });
});

describe("the repository", () => {
  it("passes the import check", async () => {
    const run = promisify(execFile);
    await expect(run("node", ["--import", "tsx", "scripts/check-imports.ts"])).resolves.toMatchObject({
      stderr: "",
    });
  });
});
