/**
 * `--only bundles`: each function built with the construct's own esbuild options
 * (infra/bundling.ts), its size, and the median time to import it in a fresh Node process with
 * the environment it is deployed with. Not a per-cell section: it measures the deploy
 * artifacts, once per run, whatever the estate sizes.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { BUNDLE, FUNCTION_NAMES, type FunctionName } from "../../infra/bundling.js";
import { commonEnvironment, functionEnvironment } from "../../infra/environments.js";
import { SAMPLE_PROPS } from "../../infra/sample.js";
import { resolveSettings, type Settings } from "../../infra/settings.js";
import { bundleFunction } from "../../scripts/bundle-functions.js";
import { noiseWarnings, type TimedFigure, timed } from "../common/timing.js";
import { formatMs } from "../format.js";
import { renderTable } from "../table.js";

/** Functions that do not carry the Google Compute client must start within this. */
export const COLD_IMPORT_LIMIT_MS = 300;
const GCP_CLIENT = /node_modules\/@google-cloud\/compute\//;
const KIB = 1024;

export interface BundleFigure {
  readonly name: FunctionName;
  readonly bytes: number;
  readonly kib: number;
  readonly sourceMapKib: number;
  /** Whether @google-cloud/compute is in the bundle (the target does not apply then). */
  readonly gcpClient: boolean;
  readonly buildMs: number;
  /** Cold imports, each in a fresh process, timed inside it around `import()`. */
  readonly coldImport: TimedFigure | null;
  /** Null where the target does not apply (the GCP client) or the import failed. */
  readonly targetMet: boolean | null;
  readonly error?: string;
}

export interface BundlesResult {
  readonly runs: number;
  readonly options: typeof BUNDLE;
  readonly functions: readonly BundleFigure[];
}

export interface BundlesOptions {
  readonly runs: number;
  readonly functions?: readonly FunctionName[];
}

/** Deployed-like names for the environments: the handlers only parse them. */
const NAMES = {
  queueUrl: "https://sqs.us-east-1.amazonaws.com/111111111111/segsync-queue.fifo",
  tableName: "segsync-inventory",
  recordKeySecretArn: "arn:aws:secretsmanager:us-east-1:111111111111:secret:segsync-record-key-AbCdEf",
};

const IMPORT_SCRIPT = [
  "const started = performance.now();",
  "await import(process.argv[1]);",
  "process.stdout.write(JSON.stringify({ ms: performance.now() - started }));",
].join("\n");

function environmentOf(name: FunctionName, directory: string, settings: Settings): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: "us-east-1",
    LAMBDA_TASK_ROOT: directory,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...commonEnvironment(name),
    ...functionEnvironment(name, settings, NAMES),
  };
}

async function coldImportMs(file: string, env: NodeJS.ProcessEnv): Promise<number> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--input-type=module", "-e", IMPORT_SCRIPT, pathToFileURL(file).href],
    { env, timeout: 60_000 },
  );
  const { ms } = JSON.parse(stdout.slice(stdout.lastIndexOf("{"))) as { ms: number };
  return ms;
}

async function measure(
  name: FunctionName,
  root: string,
  runs: number,
  settings: Settings,
): Promise<BundleFigure> {
  const directory = join(root, name);
  const started = performance.now();
  const built = await bundleFunction(name, directory);
  const buildMs = performance.now() - started;
  if (name === "reconciler") {
    // As the construct's afterBundling hook does: the handler reads it at cold start.
    copyFileSync(settings.policy.path, join(directory, settings.policy.bundleName));
  }
  const file = join(directory, BUNDLE.outfile);
  const bytes = statSync(file).size;
  const gcpClient = Object.keys(built.metafile.inputs).some((input) => GCP_CLIENT.test(input));
  const figure = {
    name,
    bytes,
    kib: Math.round(bytes / KIB),
    sourceMapKib: Math.round(statSync(`${file}.map`).size / KIB),
    gcpClient,
    buildMs: Math.round(buildMs),
  };
  try {
    const samples: number[] = [];
    for (let run = 0; run < runs; run++)
      samples.push(await coldImportMs(file, environmentOf(name, directory, settings)));
    const coldImport = timed(samples);
    return {
      ...figure,
      coldImport,
      targetMet: gcpClient ? null : coldImport.medianMs <= COLD_IMPORT_LIMIT_MS,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n").slice(0, 3).join(" ") : String(error);
    return { ...figure, coldImport: null, targetMet: null, error: message };
  }
}

export async function runBundles(options: BundlesOptions): Promise<BundlesResult> {
  // The sample deployment's settings: the environments the functions are deployed with.
  const settings = resolveSettings(SAMPLE_PROPS);
  const root = mkdtempSync(join(tmpdir(), "segsync-bundles-"));
  try {
    const functions: BundleFigure[] = [];
    // One at a time: concurrent imports would time the machine, not the bundles.
    for (const name of options.functions ?? FUNCTION_NAMES)
      functions.push(await measure(name, root, options.runs, settings));
    return { runs: options.runs, options: BUNDLE, functions };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function targetCell(figure: BundleFigure): string {
  if (figure.error !== undefined) return "import failed";
  if (figure.gcpClient) return "n/a (GCP client)";
  return figure.targetMet ? "met" : "NOT MET";
}

export function renderBundles(result: BundlesResult): string {
  const headers = [
    "function",
    "bundle KiB",
    "map KiB",
    "GCP client",
    "build ms",
    "cold import ms",
    "min",
    "max",
  ];
  const rows = result.functions.map((figure) => [
    figure.name,
    String(figure.kib),
    String(figure.sourceMapKib),
    figure.gcpClient ? "yes" : "no",
    String(figure.buildMs),
    figure.coldImport === null ? "error" : formatMs(figure.coldImport.medianMs),
    figure.coldImport === null ? "-" : formatMs(figure.coldImport.minMs),
    figure.coldImport === null ? "-" : formatMs(figure.coldImport.maxMs),
  ]);
  return [
    `bundles: each function as deployed (esbuild ${BUNDLE.format}, ${BUNDLE.target}, minified, source map), median cold import of ${result.runs} fresh processes`,
    "",
    renderTable(headers, rows),
  ].join("\n");
}

/** The target line per function, and the problems that make a figure doubtful. */
export function bundleTargets(result: BundlesResult): { lines: string[]; warnings: string[] } {
  const lines = result.functions.map(
    (figure) =>
      `cold import ≤ ${COLD_IMPORT_LIMIT_MS} ms without the GCP client, ${figure.name}: ${
        figure.coldImport === null ? "-" : `${formatMs(figure.coldImport.medianMs)} ms`
      } ${targetCell(figure)}`,
  );
  const warnings = [
    ...result.functions.flatMap((figure) =>
      figure.error === undefined ? [] : [`bundles: ${figure.name} could not be imported: ${figure.error}`],
    ),
    ...noiseWarnings(
      result.functions.flatMap((figure) =>
        figure.coldImport === null
          ? []
          : [[`bundles ${figure.name} cold import`, figure.coldImport] as const],
      ),
    ),
  ];
  return { lines, warnings };
}

export const bundlesSection = {
  name: "bundles",
  description: "deployed function bundles: size and cold import time",
  runsFor: (quick: boolean) => (quick ? 5 : 15),
  run: runBundles,
  render: renderBundles,
  targets: bundleTargets,
} as const;
