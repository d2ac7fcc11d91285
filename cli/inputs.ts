/**
 * Loading a command's policy, estate, scenario and live config files (every issue of every file, as
 * validate prints them), and choosing between a simulated estate and the real clouds.
 */
import { z } from "zod";
import type { LiveConfig } from "../lib/live/config.js";
import type { LiveConnections } from "../lib/live/connect.js";
import { loadLiveConfigFile } from "../lib/live/load-config.js";
import { loadPolicyFile } from "../lib/policy/load.js";
import type { Policy } from "../lib/policy/model.js";
import { formatIssue, type SourceIssue } from "../lib/util/source-issues.js";
import { type Estate, loadEstateFile } from "../sim/estate.js";
import { loadScenarioFile, type Scenario } from "../sim/scenario.js";
import type { CliIo } from "./io.js";

export interface SimulationFiles {
  readonly policy: string;
  readonly estate: string;
  readonly scenario?: string;
}

export interface SimulationInputs {
  readonly policy: Policy;
  readonly estate: Estate;
  readonly scenario?: Scenario;
}

/** The inputs, or undefined after printing every issue on stderr (`file:line:col path: message`). */
export async function loadSimulationInputs(
  files: SimulationFiles,
  io: CliIo,
): Promise<SimulationInputs | undefined> {
  const [policy, estate] = await Promise.all([loadPolicyFile(files.policy), loadEstateFile(files.estate)]);
  const scenario =
    files.scenario === undefined
      ? undefined
      : await loadScenarioFile(files.scenario, estate.ok ? { estate: estate.estate } : {});
  const report = (file: string, issues: readonly SourceIssue[]) => {
    for (const issue of issues) io.err(`${formatIssue(file, issue)}\n`);
  };
  if (!policy.ok) report(files.policy, policy.issues);
  if (!estate.ok) report(files.estate, estate.issues);
  if (scenario && !scenario.ok && files.scenario !== undefined) report(files.scenario, scenario.issues);
  if (!policy.ok || !estate.ok || (scenario !== undefined && !scenario.ok)) return undefined;
  return {
    policy: policy.policy,
    estate: estate.estate,
    ...(scenario?.ok ? { scenario: scenario.scenario } : {}),
  };
}

/** Where a command runs: on a simulated estate, or on the real clouds of a live config. */
export type Target =
  | { readonly kind: "estate"; readonly estate: string }
  | { readonly kind: "live"; readonly config: string; readonly awsEndpoint?: string };

export interface TargetOptions {
  readonly estate?: string;
  readonly live?: boolean;
  readonly config?: string;
  readonly awsEndpoint?: string;
}

const HttpUrlSchema = z.url({ protocol: /^https?$/ });

/** The target the options name, or undefined after saying on stderr why they name none. */
export function chooseTarget(command: string, options: TargetOptions, io: CliIo): Target | undefined {
  const refuse = (why: string) => {
    io.err(`segsync ${command}: ${why}\n`);
    return undefined;
  };
  if (options.live && options.estate !== undefined)
    return refuse(
      "--estate and --live exclude each other: give one (a simulated estate, or the real clouds)",
    );
  if (!options.live) {
    if (options.config !== undefined) return refuse("--config is read only with --live");
    if (options.awsEndpoint !== undefined) return refuse("--aws-endpoint is used only with --live");
    if (options.estate === undefined)
      return refuse("give --estate FILE (a simulated estate) or --live --config FILE (the real clouds)");
    return { kind: "estate", estate: options.estate };
  }
  if (options.config === undefined)
    return refuse("--live needs --config FILE (the accounts, subscriptions and projects to manage)");
  if (options.awsEndpoint === undefined) return { kind: "live", config: options.config };
  if (!HttpUrlSchema.safeParse(options.awsEndpoint).success)
    return refuse(`--aws-endpoint ${options.awsEndpoint}: expected an http:// or https:// URL`);
  return { kind: "live", config: options.config, awsEndpoint: options.awsEndpoint };
}

export interface LiveFiles {
  readonly policy: string;
  readonly config: string;
}

export interface LiveInputs {
  readonly policy: Policy;
  readonly config: LiveConfig;
}

/** The policy and the live config, or undefined after printing every issue of both on stderr. */
export async function loadLiveInputs(files: LiveFiles, io: CliIo): Promise<LiveInputs | undefined> {
  const [policy, config] = await Promise.all([
    loadPolicyFile(files.policy),
    loadLiveConfigFile(files.config),
  ]);
  const report = (file: string, issues: readonly SourceIssue[]) => {
    for (const issue of issues) io.err(`${formatIssue(file, issue)}\n`);
  };
  if (!policy.ok) report(files.policy, policy.issues);
  if (!config.ok) report(files.config, config.issues);
  if (!policy.ok || !config.ok) return undefined;
  return { policy: policy.policy, config: config.config };
}

/**
 * The real clouds of the config, as the reconciler reads and writes them. Imported on demand, so
 * that commands on a simulated estate do not load the cloud SDKs.
 */
export async function connectTarget(
  config: LiveConfig,
  target: Extract<Target, { kind: "live" }>,
): Promise<LiveConnections> {
  const { connectLive } = await import("../lib/live/connect.js");
  return connectLive(
    config,
    target.awsEndpoint === undefined ? {} : { aws: { endpoint: target.awsEndpoint } },
  );
}
