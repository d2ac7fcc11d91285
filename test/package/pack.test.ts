/**
 * What a team does with the package (docs/package.md): `npm pack`, then in a fresh folder a
 * minimal CDK app of its own (aws-cdk-lib, constructs, cdk-nag, aws-cdk and the tarball) that
 * imports SegmentationSynchronizer from `segsync/cdk` with its own policy file; `npm install`,
 * `cdk synth` with cdk-nag, and the CLI and the library from that folder. The package must be
 * built first (`npm run build`, which `npm test` runs): the tarball holds what dist/ holds.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE, PROJECT_ROOT } from "../../infra/bundling.js";

const run = promisify(execFile);
const INSTALL_TIMEOUT_MS = 600_000;
const SYNTH_TIMEOUT_MS = 300_000;
const ACCOUNT = "123456789012";
const REGION = "eu-west-1";

const folder = mkdtempSync(join(tmpdir(), "segsync-consumer-"));
// The app's node_modules is large: removing it takes a while on a busy machine.
afterAll(() => rmSync(folder, { recursive: true, force: true }), 120_000);

/** The version of a package in segsync's own lockfile: the consuming app installs the same, from npm's cache. */
function lockedVersion(name: string): string {
  const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, { version: string }>;
  };
  const entry = lock.packages[`node_modules/${name}`];
  if (entry === undefined) throw new Error(`${name} is not in package-lock.json`);
  return entry.version;
}

const APP = `import { App, Stack, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { SegmentationSynchronizer, SynchronizerConfigError } from "segsync/cdk";

const app = new App();
const stack = new Stack(app, "Segmentation", { env: { account: "${ACCOUNT}", region: "${REGION}" } });
try {
  new SegmentationSynchronizer(stack, "Segsync", {
    policyFile: process.env.POLICY ?? "policy.yaml",
    aws: { accounts: [{ account: "${ACCOUNT}", regions: ["${REGION}"], vpcs: ["vpc-0123456789abcdef0"] }] },
  });
} catch (error) {
  if (!(error instanceof SynchronizerConfigError)) throw error;
  process.stderr.write(error.message + "\\n");
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
`;

/** A TypeScript app: the construct's props and the library's types, as a team's code uses them. */
const TYPED_APP = `import { App, Stack } from "aws-cdk-lib";
import { SegmentationSynchronizer, type SegmentationSynchronizerProps } from "segsync/cdk";
import { loadPolicyFile, type Policy, Simulation } from "segsync";

const props: SegmentationSynchronizerProps = {
  policyFile: "policy.yaml",
  aws: { accounts: [{ account: "${ACCOUNT}", regions: ["${REGION}"] }] },
};
new SegmentationSynchronizer(new Stack(new App(), "Typed"), "Segsync", props);
const loaded = await loadPolicyFile("policy.yaml");
if (loaded.ok) {
  const policy: Policy = loaded.policy;
  Simulation.start(policy, { apiVersion: "segsync/v1", kind: "Estate", networks: [], workloads: [] });
}
`;

function inApp(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeout = SYNTH_TIMEOUT_MS,
) {
  return run(command, args, {
    cwd: folder,
    timeout,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  });
}

interface TemplateJson {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}

let tarball: string;

describe("the packed package in a fresh CDK app", () => {
  beforeAll(async () => {
    if (!existsSync(join(PROJECT_ROOT, "dist", "functions", "reconciler", BUNDLE.outfile)))
      throw new Error("dist/ is not built: run `npm run build` (npm test does) before this test");
    const packed = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", folder], {
      cwd: PROJECT_ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    tarball = (JSON.parse(packed.stdout) as { filename: string }[])[0]?.filename ?? "";
    writeFileSync(
      join(folder, "package.json"),
      JSON.stringify({
        name: "consumer-app",
        private: true,
        type: "module",
        dependencies: {
          segsync: `file:./${tarball}`,
          "aws-cdk-lib": lockedVersion("aws-cdk-lib"),
          constructs: lockedVersion("constructs"),
          "cdk-nag": lockedVersion("cdk-nag"),
        },
        devDependencies: {
          "aws-cdk": lockedVersion("aws-cdk"),
          typescript: lockedVersion("typescript"),
          "@types/node": lockedVersion("@types/node"),
        },
      }),
    );
    writeFileSync(join(folder, "cdk.json"), JSON.stringify({ app: "node app.mjs" }));
    writeFileSync(join(folder, "app.mjs"), APP);
    const policy = readFileSync(join(PROJECT_ROOT, "examples", "policy.yaml"), "utf8").replace(
      /^# yaml-language-server: \$schema=.*$/m,
      "# yaml-language-server: $schema=node_modules/segsync/schema/policy.schema.json",
    );
    writeFileSync(join(folder, "policy.yaml"), policy);
    await inApp("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], {}, INSTALL_TIMEOUT_MS);
  }, INSTALL_TIMEOUT_MS + 60_000);

  it("ships the built code, the bundles, the schema and the examples, and no tests, bench or sources", async () => {
    const installed = join(folder, "node_modules", "segsync");
    const top = readdirSync(installed).sort();
    expect(top).toEqual([
      "CHANGELOG.md",
      "LICENSE",
      "README.md",
      "bin",
      "dist",
      "examples",
      "package.json",
      "schema",
    ]);
    expect(readdirSync(join(installed, "dist")).sort()).toEqual([
      "cli",
      "cli-bundle",
      "functions",
      "infra",
      "lib",
      "pkg",
      "sim",
    ]);
    expect(readdirSync(join(installed, "dist", "functions")).sort()).toEqual([
      "aws-events",
      "azure-events",
      "gcp-events",
      "reconciler",
    ]);
    const files = readdirSync(join(installed, "dist"), { recursive: true, encoding: "utf8" });
    expect(files.filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))).toEqual([]);
    expect(existsSync(join(installed, "schema", "policy.schema.json"))).toBe(true);
  });

  it(
    "synthesizes with cdk-nag clean, each function holding its prebuilt bundle and the reconciler the app's policy",
    async () => {
      await inApp(process.execPath, [join("node_modules", "aws-cdk", "bin", "cdk"), "synth", "--quiet"]);
      const out = join(folder, "cdk.out");
      const report = JSON.parse(readFileSync(join(out, "validation-report.json"), "utf8"));
      expect(report.pluginReports).toEqual([]);
      const template = JSON.parse(
        readFileSync(join(out, "Segmentation.template.json"), "utf8"),
      ) as TemplateJson;
      const functions = Object.values(template.Resources).filter(
        (resource) =>
          resource.Type === "AWS::Lambda::Function" &&
          String(resource.Properties.Description ?? "").startsWith("segsync "),
      );
      expect(functions.map((fn) => String(fn.Properties.Description).split(":")[0]).sort()).toEqual([
        "segsync aws-events",
        "segsync reconciler",
      ]);
      const built = join(folder, "node_modules", "segsync", "dist", "functions");
      for (const fn of functions) {
        const asset = join(
          out,
          `asset.${String((fn.Properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, "")}`,
        );
        const name = String(fn.Properties.Description).split(":")[0]?.replace("segsync ", "") ?? "";
        expect(fn.Properties.Handler).toBe("index.handler");
        expect(
          readFileSync(join(asset, BUNDLE.outfile)).equals(readFileSync(join(built, name, BUNDLE.outfile))),
        ).toBe(true);
        if (name === "reconciler")
          expect(readFileSync(join(asset, "policy.yaml"), "utf8")).toBe(
            readFileSync(join(folder, "policy.yaml"), "utf8"),
          );
      }
    },
    SYNTH_TIMEOUT_MS,
  );

  it(
    "fails the synth with the app's policy file:line:col when its policy is bad",
    async () => {
      const bad = readFileSync(join(folder, "policy.yaml"), "utf8").replace(
        "postgres: [tcp/5432]",
        "postgres: [tcp/65536]",
      );
      expect(bad).not.toBe(readFileSync(join(folder, "policy.yaml"), "utf8"));
      writeFileSync(join(folder, "bad-policy.yaml"), bad);
      const synth = inApp(
        process.execPath,
        [join("node_modules", "aws-cdk", "bin", "cdk"), "synth", "--quiet", "--output", "cdk.bad"],
        {
          POLICY: "bad-policy.yaml",
        },
      );
      await expect(synth).rejects.toMatchObject({
        stderr: expect.stringMatching(/bad-policy\.yaml:10:14 services\.postgres\[0\]: port 65536/),
      });
    },
    SYNTH_TIMEOUT_MS,
  );

  it(
    "runs `segsync validate` on the app's policy and `segsync demo` from the app's folder",
    async () => {
      const validate = await inApp("npx", ["segsync", "validate", "policy.yaml"]);
      expect(validate.stdout).toMatch(/^policy\.yaml: valid \(1 ruleset/);
      const demo = await inApp("npx", ["segsync", "demo"]);
      expect(demo.stdout).toContain("Estate examples/estate.yaml, policy examples/policy.yaml");
      expect(demo.stdout).toMatch(/migrat/i);
    },
    SYNTH_TIMEOUT_MS,
  );

  /** The tsconfig `cdk init app --language typescript` writes. */
  const cdkInitTsconfig = () =>
    join(folder, "node_modules", "aws-cdk", "lib", "init-templates", "app", "typescript", "tsconfig.json");

  it(
    "type-checks a TypeScript app against the package's declarations, with `cdk init`'s tsconfig",
    async () => {
      const tsc = join("node_modules", "typescript", "bin", "tsc");
      const tsconfig = JSON.parse(readFileSync(cdkInitTsconfig(), "utf8")) as {
        compilerOptions: Record<string, unknown>;
      };
      writeFileSync(
        join(folder, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: { ...tsconfig.compilerOptions, types: ["node"] },
          files: ["check.ts"],
        }),
      );
      writeFileSync(join(folder, "check.ts"), TYPED_APP);
      await inApp(process.execPath, [tsc, "-p", "."]);
      // The check can fail: a prop of the wrong type is an error.
      writeFileSync(
        join(folder, "check.ts"),
        TYPED_APP.replace('policyFile: "policy.yaml"', "policyFile: 42"),
      );
      await expect(inApp(process.execPath, [tsc, "-p", "."])).rejects.toMatchObject({
        stdout: expect.stringContaining("check.ts"),
      });
    },
    SYNTH_TIMEOUT_MS,
  );

  it(
    "type-checks the package's declarations themselves, for an app that sets skipLibCheck false",
    async () => {
      const tsc = join("node_modules", "typescript", "bin", "tsc");
      const tsconfig = JSON.parse(readFileSync(cdkInitTsconfig(), "utf8")) as {
        compilerOptions: Record<string, unknown>;
      };
      writeFileSync(
        join(folder, "tsconfig.strict-libs.json"),
        JSON.stringify({
          compilerOptions: { ...tsconfig.compilerOptions, types: ["node"], skipLibCheck: false },
          files: ["check.ts"],
        }),
      );
      writeFileSync(join(folder, "check.ts"), TYPED_APP);
      await inApp(process.execPath, [tsc, "-p", "tsconfig.strict-libs.json"]);
    },
    SYNTH_TIMEOUT_MS,
  );

  it(
    "offers the library as `segsync`: a policy loaded, compiled, simulated and a flow explained",
    async () => {
      const script = `
      import { compile, explainFlow, loadEstateFile, loadPolicyFile, packageVersion, parseProbe, Simulation } from "segsync";
      const policy = await loadPolicyFile("policy.yaml");
      const estate = await loadEstateFile("node_modules/segsync/examples/estate.yaml");
      if (!policy.ok || !estate.ok) throw new Error("not loaded");
      const simulation = Simulation.start(policy.policy, estate.estate);
      const result = await simulation.fullSync();
      const from = "aws:111111111111:us-east-1:i-0a00000000000003";
      const to = "aws:111111111111:us-east-1:i-0a00000000000004";
      const probe = parseProbe("tcp/5432").probe;
      const flow = explainFlow({ intent: result.intent, policy: policy.policy, clouds: simulation.clouds, reach: await simulation.reachability() }, from, to, probe);
      console.log(JSON.stringify({ version: packageVersion(), compile: typeof compile, allowed: flow.verdict === "allowed" }));
    `;
      const library = await inApp(process.execPath, ["--input-type=module", "-e", script]);
      const printed = JSON.parse(library.stdout) as { version: string; compile: string; allowed: boolean };
      const ownVersion = (
        JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }
      ).version;
      expect(printed).toEqual({ version: ownVersion, compile: "function", allowed: true });
    },
    SYNTH_TIMEOUT_MS,
  );
});
