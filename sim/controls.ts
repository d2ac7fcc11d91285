/**
 * The scenario steps' changes to the simulated clouds, checked first so that a step that could
 * not happen changes nothing and says why (with the path of the step's field at fault): launch,
 * re-tag, stop, start, terminate. Each keeps the simulation's book of live workloads in step.
 */
import { parseWorkloadId } from "../lib/inventory/ids.js";
import { cidrContains } from "../lib/net/cidr.js";
import type { PathSegment } from "../lib/util/source-issues.js";
import { simulatorOf } from "./clouds/registry.js";
import { placementProblem } from "./estate-check.js";
import { refusedAt, SimulationRefusedError } from "./refusal.js";
import type { LaunchSpec } from "./scenario-schema.js";
import type { SimulatedClouds } from "./simulated-clouds.js";
import { tagProblems } from "./tag-rules.js";
import type { LiveWorkload } from "./workload-book.js";

type Path = readonly PathSegment[];

function refuse(path: Path, message: string): never {
  throw new SimulationRefusedError(message, path);
}

function existing(clouds: SimulatedClouds, id: string, path: Path): LiveWorkload {
  return clouds.workload(id) ?? refuse(path, `${id} does not exist (anymore)`);
}

export interface LaunchOptions {
  /** Where the step writes the new workload's fields (a migration's `to`). */
  readonly prefix?: Path;
  /** Where the tags come from, for messages: the launch's own `tags`, or the migrated workload. */
  readonly tagsPath?: Path;
  readonly tagsSource?: string;
  /** A workload that is going away in the same step (a migration): its addresses are free. */
  readonly leaving?: string;
}

/** Why this launch could not happen, as a refusal; nothing when it can. */
export function checkLaunch(clouds: SimulatedClouds, spec: LaunchSpec, options: LaunchOptions = {}): void {
  const at = (field: string) => [...(options.prefix ?? []), field];
  if (clouds.workload(spec.id) !== undefined && spec.id !== options.leaving)
    refuse(at("id"), `${spec.id} already exists`);
  const network =
    clouds.network(spec.network) ??
    refuse(at("network"), `network ${spec.network} is not in the estate's networks`);
  const parts = parseWorkloadId(spec.id);
  const placement = placementProblem({ parts }, network);
  if (placement !== undefined) refuse(at("network"), placement);
  if (!cidrContains(network.network.cidr, spec.privateIp)) {
    refuse(at("privateIp"), `${spec.privateIp} is outside ${spec.network} (${network.network.cidr})`);
  }
  const sameAddress = clouds.holderOfPrivateIp(spec.network, spec.privateIp);
  if (sameAddress !== undefined && sameAddress.id !== options.leaving)
    refuse(at("privateIp"), `${spec.privateIp} is already used in ${spec.network} by ${sameAddress.id}`);
  const samePublic = spec.publicIp === undefined ? undefined : clouds.runningWithPublicIp(spec.publicIp);
  if (samePublic !== undefined && samePublic.id !== options.leaving)
    refuse(at("publicIp"), `${spec.publicIp} is already the public IP of ${samePublic.id}`);
  const [problem] = tagProblems(simulatorOf(parts.cloud).tagRules, spec.tags);
  if (problem !== undefined) {
    const path = options.tagsPath ?? (problem.key === undefined ? ["tags"] : ["tags", problem.key]);
    const source =
      options.tagsSource === undefined
        ? ""
        : `the tags of ${options.tagsSource} cannot move to ${parts.cloud}: `;
    refuse(path, `${source}${problem.message}`);
  }
}

export function launch(clouds: SimulatedClouds, spec: LaunchSpec, options: LaunchOptions = {}): LiveWorkload {
  checkLaunch(clouds, spec, options);
  const parts = parseWorkloadId(spec.id);
  const { id, network, privateIp, publicIp, tags } = spec;
  const workload: LiveWorkload = {
    id,
    parts,
    network,
    privateIp,
    ...(publicIp === undefined ? {} : { publicIp }),
    state: "running",
    tags: { ...tags },
    tagVersion: 1,
  };
  const nativeId = refusedAt(options.prefix ?? [], () =>
    simulatorOf(parts.cloud).tools.launch(clouds.places(parts.cloud), workload),
  );
  const launched = nativeId === undefined ? workload : { ...workload, nativeId };
  clouds.record(id, launched);
  return launched;
}

export function retag(
  clouds: SimulatedClouds,
  id: string,
  tags: Readonly<Record<string, string>>,
): { before: LiveWorkload; after: LiveWorkload } {
  const before = existing(clouds, id, ["id"]);
  const [problem] = tagProblems(simulatorOf(before.parts.cloud).tagRules, tags);
  if (problem !== undefined)
    refuse(problem.key === undefined ? ["tags"] : ["tags", problem.key], problem.message);
  refusedAt([], () =>
    simulatorOf(before.parts.cloud).tools.retag(clouds.places(before.parts.cloud), before, tags),
  );
  const after = { ...before, tags: { ...tags }, tagVersion: before.tagVersion + 1 };
  clouds.record(id, after);
  return { before, after };
}

export function stop(clouds: SimulatedClouds, id: string): LiveWorkload {
  const workload = existing(clouds, id, ["id"]);
  if (workload.state !== "running") refuse(["id"], `${id} is already stopped`);
  refusedAt([], () =>
    simulatorOf(workload.parts.cloud).tools.stop(clouds.places(workload.parts.cloud), workload),
  );
  // The public IP is released; the book keeps it as the address to give back on start.
  const stopped = { ...workload, state: "stopped" as const };
  clouds.record(id, stopped);
  return stopped;
}

export function start(clouds: SimulatedClouds, id: string): LiveWorkload {
  const workload = existing(clouds, id, ["id"]);
  if (workload.state !== "stopped") refuse(["id"], `${id} is already running`);
  const wanted = workload.publicIp;
  const holder = wanted === undefined ? undefined : clouds.runningWithPublicIp(wanted);
  const taken = holder !== undefined && holder.id !== id;
  const publicIp = wanted === undefined || taken ? undefined : wanted;
  refusedAt([], () =>
    simulatorOf(workload.parts.cloud).tools.start(clouds.places(workload.parts.cloud), workload, publicIp),
  );
  const { publicIp: _released, ...rest } = workload;
  const started: LiveWorkload = {
    ...rest,
    state: "running",
    ...(publicIp === undefined ? {} : { publicIp }),
  };
  clouds.record(id, started);
  return started;
}

export function terminate(clouds: SimulatedClouds, id: string, path: Path = ["id"]): LiveWorkload {
  const workload = existing(clouds, id, path);
  refusedAt(path.slice(0, -1), () =>
    simulatorOf(workload.parts.cloud).tools.terminate(clouds.places(workload.parts.cloud), workload),
  );
  clouds.record(id, undefined);
  return workload;
}
