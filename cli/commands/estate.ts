import { z } from "zod";
import type { LabelConfig } from "../../lib/inventory/labels.js";
import { loadLiveConfigFile } from "../../lib/live/load-config.js";
import { loadPolicyFile } from "../../lib/policy/load.js";
import { DEFAULT_DIMENSIONS, DEFAULT_TAG_PREFIX } from "../../lib/policy/names.js";
import { formatIssue } from "../../lib/util/source-issues.js";
import { connectTarget } from "../inputs.js";
import type { CliIo } from "../io.js";
import { writeOutputFile } from "../output-file.js";

export interface ExportOptions {
  readonly live?: boolean;
  readonly config?: string;
  readonly awsEndpoint?: string;
  /** Its labels say which workloads are segsync's; absent: the default labels. */
  readonly policy?: string;
  readonly out?: string;
}

const COMMAND = "estate export";
const HttpUrlSchema = z.url({ protocol: /^https?$/ });

/**
 * Reads the clouds of the config (nothing else: no write call is reachable from here) and writes
 * them as an Estate, on stdout or to --out; each finding on stderr. Exit 0, or 1 on an error.
 */
export async function exportEstate(
  options: ExportOptions,
  io: CliIo,
  now: () => Date = () => new Date(),
): Promise<number> {
  const refuse = (why: string) => {
    io.err(`segsync ${COMMAND}: ${why}\n`);
    return 1;
  };
  if (!options.live || options.config === undefined)
    return refuse(
      "it reads the real clouds: give --live --config FILE (the accounts, subscriptions and projects)",
    );
  if (options.awsEndpoint !== undefined && !HttpUrlSchema.safeParse(options.awsEndpoint).success)
    return refuse(`--aws-endpoint ${options.awsEndpoint}: expected an http:// or https:// URL`);
  const [config, labels] = await Promise.all([
    loadLiveConfigFile(options.config),
    labelsOf(options.policy, io),
  ]);
  if (!config.ok) {
    for (const issue of config.issues) io.err(`${formatIssue(options.config, issue)}\n`);
    return 1;
  }
  if (labels === undefined) return 1;
  const live = await connectTarget(config.config, {
    kind: "live",
    config: options.config,
    ...(options.awsEndpoint === undefined ? {} : { awsEndpoint: options.awsEndpoint }),
  });
  const { exportLive } = await import("../../sim/export/live.js");
  const { exportedEstateYaml } = await import("../../sim/export/yaml.js");
  let exported: Awaited<ReturnType<typeof exportLive>>;
  try {
    exported = await exportLive(live, labels);
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return refuse(`cannot read the clouds: ${why}`);
  }
  for (const finding of exported.findings)
    io.err(`segsync ${COMMAND}: ${finding.severity}: ${finding.message}\n`);
  const text = exportedEstateYaml(exported, now());
  if (options.out === undefined) {
    io.out(text);
    return 0;
  }
  return (await writeOutputFile(options.out, text, COMMAND, io)) ? 0 : 1;
}

async function labelsOf(policy: string | undefined, io: CliIo): Promise<LabelConfig | undefined> {
  if (policy === undefined) return { tagPrefix: DEFAULT_TAG_PREFIX, dimensions: DEFAULT_DIMENSIONS };
  const loaded = await loadPolicyFile(policy);
  if (loaded.ok) return loaded.policy.labels;
  for (const issue of loaded.issues) io.err(`${formatIssue(policy, issue)}\n`);
  return undefined;
}
