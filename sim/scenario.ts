/**
 * Scenarios (`kind: Scenario`, docs/formats.md, "Scenario"): loading them (every issue at once,
 * placed in the file; with an estate, each step is also tried on a simulation of it, so that a step
 * that could not happen is reported where it is written), and applying a cloud-changing step to the
 * simulated clouds, which returns the native events the real clouds would emit for it.
 */
import { createHash } from "node:crypto";
import { forbiddenKeyIssues } from "../lib/util/forbidden-keys.js";
import { type DocumentCheck, loadDocumentText, readDocumentFile } from "../lib/util/load-document.js";
import type { DraftIssue, PathSegment, SourceIssue } from "../lib/util/source-issues.js";
import { documentErrorMap, draftIssuesFromZod } from "../lib/util/zod-issues.js";
import { checkLaunch, launch, retag, start, stop, terminate } from "./controls.js";
import type { Estate } from "./estate-schema.js";
import { eventsOf, type NativeEvent } from "./events.js";
import { SimulationRefusedError } from "./refusal.js";
import { type CloudStep, isCloudStep, type Scenario, ScenarioSchema, stepKind } from "./scenario-schema.js";
import { SimulatedClouds } from "./simulated-clouds.js";
import { trafficRefusals } from "./traffic/endpoints.js";

export { formatIssue, type SourceIssue } from "../lib/util/source-issues.js";
export type { NativeEvent } from "./events.js";
export {
  type CloudStep,
  isCloudStep,
  type Scenario,
  type Step,
  type StepKind,
  stepKind,
} from "./scenario-schema.js";
export type { TrafficFlow, TrafficSpec } from "./traffic-schema.js";

/** How far the simulated clock moves at each step. */
export const STEP_INTERVAL_MS = 60_000;

export type ScenarioLoadResult =
  | { ok: true; scenario: Scenario }
  | { ok: false; issues: readonly SourceIssue[] };

/**
 * Applies one step that changes the clouds; throws SimulationRefusedError (its path inside the
 * step, e.g. `launch.privateIp`) when the step could not happen, having changed nothing.
 */
export function applyStep(clouds: SimulatedClouds, step: CloudStep): NativeEvent[] {
  clouds.clock.advance(STEP_INTERVAL_MS);
  const kind = stepKind(step);
  return within([kind], () => {
    if ("launch" in step) return eventsOf(clouds, "launched", launch(clouds, step.launch));
    if ("retag" in step) {
      const { before, after } = retag(clouds, step.retag.id, step.retag.tags);
      return eventsOf(clouds, "retagged", after, before);
    }
    if ("stop" in step) return eventsOf(clouds, "stopped", stop(clouds, step.stop.id));
    if ("start" in step) return eventsOf(clouds, "started", start(clouds, step.start.id));
    if ("terminate" in step) return eventsOf(clouds, "terminated", terminate(clouds, step.terminate.id));
    return migrate(clouds, step.migrate);
  });
}

/** Terminates the old workload and launches the new one in its cloud with the old one's tags. */
function migrate(
  clouds: SimulatedClouds,
  spec: Extract<CloudStep, { migrate: unknown }>["migrate"],
): NativeEvent[] {
  const from = clouds.workload(spec.from);
  if (from === undefined) throw new SimulationRefusedError(`${spec.from} does not exist (anymore)`, ["from"]);
  const target = { ...spec.to, tags: from.tags };
  const options = { prefix: ["to"], leaving: from.id, tagsPath: ["from"], tagsSource: from.id };
  // The new one is checked before the old one goes, so that a refused migration changes nothing.
  checkLaunch(clouds, target, options);
  const old = terminate(clouds, from.id, ["from"]);
  const launched = launch(clouds, target, options);
  return [...eventsOf(clouds, "terminated", old), ...eventsOf(clouds, "launched", launched)];
}

/** Runs a step's changes; a refusal's path is put under the step's kind (`launch.privateIp`). */
function within<T>(prefix: readonly PathSegment[], run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof SimulationRefusedError)) throw error;
    throw new SimulationRefusedError(error.message, [...prefix, ...error.path], { cause: error.cause });
  }
}

/** A seed for event ids that is the same for the same scenario, and differs between scenarios. */
export function scenarioSeed(scenario: Scenario): string {
  return createHash("sha256").update(JSON.stringify(scenario.steps)).digest("hex").slice(0, 16);
}

/** Every issue of a scenario document, or the scenario; with an estate, its steps are tried on it too. */
export function checkScenarioDocument(document: unknown, estate?: Estate): DocumentCheck<Scenario> {
  const forbidden = forbiddenKeyIssues(document);
  const parsed = ScenarioSchema.safeParse(document, { error: documentErrorMap, reportInput: true });
  if (!parsed.success)
    return { ok: false, issues: [...forbidden, ...draftIssuesFromZod(parsed.error.issues)] };
  const issues = [...forbidden, ...(estate === undefined ? [] : dryRun(parsed.data, estate))];
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: parsed.data };
}

/**
 * Each cloud step on a fresh simulation of the estate, and each traffic step's ends on the clouds
 * as the steps before left them; a refused step changes nothing, so the next ones still run.
 */
function dryRun(scenario: Scenario, estate: Estate): DraftIssue[] {
  const clouds = SimulatedClouds.fromEstate(estate, { eventSeed: scenarioSeed(scenario) });
  const issues: DraftIssue[] = [];
  scenario.steps.forEach((step, index) => {
    if ("traffic" in step) {
      const refusals = trafficRefusals(clouds, step.traffic);
      issues.push(
        ...refusals.map((error) => ({ path: ["steps", index, ...error.path], message: error.message })),
      );
      return;
    }
    if (!isCloudStep(step)) return;
    try {
      applyStep(clouds, step);
    } catch (error) {
      if (!(error instanceof SimulationRefusedError)) throw error;
      issues.push({ path: ["steps", index, ...error.path], message: error.message });
    }
  });
  return issues;
}

export interface ScenarioLoadOptions {
  /** The estate the scenario runs on (from loadEstateText/File): its steps are tried on it. */
  readonly estate?: Estate;
}

/** Parses and checks scenario text; `fileName` decides JSON (`.json`) or YAML scalars. */
export function loadScenarioText(
  text: string,
  fileName: string,
  options: ScenarioLoadOptions = {},
): ScenarioLoadResult {
  const result = loadDocumentText(text, fileName, "scenario", (document) =>
    checkScenarioDocument(document, options.estate),
  );
  return result.ok ? { ok: true, scenario: result.value } : result;
}

export async function loadScenarioFile(
  path: string,
  options: ScenarioLoadOptions = {},
): Promise<ScenarioLoadResult> {
  const read = await readDocumentFile(path);
  return read.ok ? loadScenarioText(read.text, path, options) : read;
}
