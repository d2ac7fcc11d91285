/** Loading a command's policy, estate and scenario files: every issue of every file, as validate prints them. */
import { loadPolicyFile } from "../policy/load.js";
import type { Policy } from "../policy/model.js";
import { type Estate, loadEstateFile } from "../sim/estate.js";
import { loadScenarioFile, type Scenario } from "../sim/scenario.js";
import { formatIssue, type SourceIssue } from "../util/source-issues.js";
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

/** `--live` is planned (DESIGN §5) but not built yet: a clear refusal rather than a silent simulation. */
export function refuseLive(command: string, io: CliIo): number {
  io.err(
    `segsync ${command}: --live is not available yet; run it on a simulated estate with --estate FILE (e.g. examples/estate.yaml)\n`,
  );
  return 1;
}
