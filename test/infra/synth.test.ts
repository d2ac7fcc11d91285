/**
 * The real `cdk synth` of infra/app.ts (cdk.json), with bundling by the local esbuild, CDK's
 * built-in template validation and the cdk-nag plugin; then cfn-lint on the template.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE, ESM_BANNER, type FunctionName, PROJECT_ROOT } from "../../infra/bundling.js";
import { SAMPLE_PROPS } from "../../infra/sample.js";
import { bundleFunction } from "../../scripts/bundle-functions.js";
import { cfnLint, skipWithoutCfnLint } from "../support/cfn-lint.js";

const run = promisify(execFile);
const CDK = join(PROJECT_ROOT, "node_modules", "aws-cdk", "bin", "cdk");
const STACK = "Segsync";
/** The bundling of four functions (the reconciler's is ~9 MB) on a busy 2-CPU machine. */
const SYNTH_TIMEOUT_MS = 120_000;
/**
 * W3005 (a DependsOn already implied by a Ref/GetAtt): the CDK adds DependsOn on each function's
 * role and its default policy; the redundant half is harmless and not ours to remove.
 */
const IGNORED_CFN_LINT = ["W3005"];

const directory = mkdtempSync(join(tmpdir(), "segsync-synth-"));
const out = join(directory, "cdk.out");
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function cdk(args: readonly string[], output = out) {
  return run(process.execPath, [CDK, ...args, "--output", output], {
    cwd: PROJECT_ROOT,
    timeout: SYNTH_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  });
}

interface TemplateJson {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}

let template: TemplateJson;

/** The asset directory of each function's code, by its entry in the Description. */
function assetOf(name: FunctionName): string {
  const functions = Object.values(template.Resources).filter(
    (resource) =>
      resource.Type === "AWS::Lambda::Function" &&
      String(resource.Properties.Description ?? "").startsWith(`segsync ${name}`),
  );
  expect(functions, name).toHaveLength(1);
  const code = functions[0]?.Properties.Code as { S3Key: string };
  return join(out, `asset.${code.S3Key.replace(/\.zip$/, "")}`);
}

describe("cdk synth of infra/app.ts", () => {
  beforeAll(async () => {
    await cdk(["synth", "--quiet"]);
    template = JSON.parse(readFileSync(join(out, `${STACK}.template.json`), "utf8")) as TemplateJson;
  }, SYNTH_TIMEOUT_MS);

  it("passes CDK's template validation and cdk-nag (no plugin reported anything)", () => {
    const report = JSON.parse(readFileSync(join(out, "validation-report.json"), "utf8"));
    expect(report.pluginReports).toEqual([]);
  });

  it("bundles each function as one ESM file with the banner, and the policy beside the reconciler", () => {
    for (const name of ["aws-events", "azure-events", "gcp-events", "reconciler"] as const) {
      const bundle = readFileSync(join(assetOf(name), BUNDLE.outfile), "utf8");
      expect(bundle.startsWith(ESM_BANNER), name).toBe(true);
      expect(bundle).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      expect(readFileSync(join(assetOf(name), `${BUNDLE.outfile}.map`), "utf8")).not.toContain(
        '"sourcesContent"',
      );
    }
    expect(readFileSync(join(assetOf("reconciler"), "policy.yaml"), "utf8")).toBe(
      readFileSync(SAMPLE_PROPS.policyFile, "utf8"),
    );
  });

  it("deploys byte for byte what the bundles benchmark builds, and no GCP client in the ingest functions", async () => {
    for (const name of ["aws-events", "azure-events", "gcp-events"] as const) {
      const benched = join(directory, "bench", name);
      const result = await bundleFunction(name, benched);
      expect(
        readFileSync(join(benched, BUNDLE.outfile)).equals(readFileSync(join(assetOf(name), BUNDLE.outfile))),
        name,
      ).toBe(true);
      expect(
        Object.keys(result.metafile.inputs).filter((input) => input.includes("@google-cloud/compute")),
      ).toEqual([]);
    }
  });

  it.skipIf(skipWithoutCfnLint("cfn-lint on the synthesized template"))(
    `is clean for cfn-lint (ignoring ${IGNORED_CFN_LINT.join(", ")})`,
    async () => {
      const lint = await cfnLint(join(out, `${STACK}.template.json`), IGNORED_CFN_LINT);
      expect(lint.findings).toEqual([]);
      expect(lint.exitCode).toBe(0);
    },
    30_000,
  );

  it(
    "fails with the policy's own messages when the policy is bad",
    async () => {
      const bad = join(directory, "bad-policy.yaml");
      writeFileSync(
        bad,
        readFileSync(SAMPLE_PROPS.policyFile, "utf8").replace(
          "services: [postgres]",
          "services: [postgress]",
        ),
      );
      const failed = await cdk(
        ["synth", "--quiet", "-c", `segsync:policyFile=${bad}`],
        join(directory, "bad.out"),
      ).then(
        () => undefined,
        (error: { code?: number; stderr?: string }) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toMatch(
        new RegExp(
          `${bad.replaceAll(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:\\d+:\\d+ rulesets\\[0\\]\\.rules\\[1\\]\\.services\\[0\\]: unknown service "postgress"`,
        ),
      );
    },
    SYNTH_TIMEOUT_MS,
  );
});
