/**
 * The ends of a traffic step's flows (docs/formats.md, "Traffic"): a workload, named by its id or
 * by an address it holds, or an address outside the estate. A flow the simulated clouds could not
 * carry is refused where the scenario writes it, as other steps are.
 */
import type { PathSegment } from "../../lib/util/source-issues.js";
import { SimulationRefusedError } from "../refusal.js";
import type { SimulatedClouds } from "../simulated-clouds.js";
import type { TrafficSpec } from "../traffic-schema.js";
import type { LiveWorkload } from "../workload-book.js";

export type TrafficEndpoint =
  | { readonly kind: "workload"; readonly workload: LiveWorkload }
  | { readonly kind: "outside"; readonly address: string };

/** A flow of the step with its ends found. */
export interface ResolvedFlow {
  readonly index: number;
  readonly from: TrafficEndpoint;
  readonly to: TrafficEndpoint;
}

/** The workload holding a private address, when exactly one does (a stopped one keeps its address). */
function privateHolder(clouds: SimulatedClouds, address: string, path: readonly PathSegment[]) {
  const holders = clouds.workloads().filter((workload) => workload.privateIp === address);
  if (holders.length > 1) {
    const ids = holders.map((workload) => workload.id).join(", ");
    throw new SimulationRefusedError(`${address} is the private address of ${ids}: name the workload`, path);
  }
  return holders[0];
}

function endpointOf(clouds: SimulatedClouds, text: string, path: readonly PathSegment[]): TrafficEndpoint {
  const isId = text.includes(":");
  const workload = isId
    ? clouds.workload(text)
    : (clouds.runningWithPublicIp(text) ?? privateHolder(clouds, text, path));
  if (workload === undefined) {
    if (isId) throw new SimulationRefusedError(`${text} does not exist (anymore)`, path);
    return { kind: "outside", address: text };
  }
  if (workload.state !== "running") {
    const named = isId ? text : `${text} (${workload.id})`;
    throw new SimulationRefusedError(
      `${named} is stopped: a stopped workload sends and receives no traffic`,
      path,
    );
  }
  return { kind: "workload", workload };
}

/** Each flow's ends; throws SimulationRefusedError at the first flow that could not be sent. */
export function resolveFlows(clouds: SimulatedClouds, spec: TrafficSpec): ResolvedFlow[] {
  return spec.map((flow, index) => resolveFlow(clouds, flow, index));
}

/** Why each flow that could not be sent could not, at its path: a scenario's check reports them all. */
export function trafficRefusals(clouds: SimulatedClouds, spec: TrafficSpec): SimulationRefusedError[] {
  return spec.flatMap((flow, index) => {
    try {
      resolveFlow(clouds, flow, index);
      return [];
    } catch (error) {
      if (error instanceof SimulationRefusedError) return [error];
      throw error;
    }
  });
}

function resolveFlow(clouds: SimulatedClouds, flow: TrafficSpec[number], index: number): ResolvedFlow {
  const at = (...rest: PathSegment[]): PathSegment[] => ["traffic", index, ...rest];
  const from = endpointOf(clouds, flow.from, at("from"));
  const to = endpointOf(clouds, flow.to, at("to"));
  if (from.kind === "outside" && to.kind === "outside") {
    throw new SimulationRefusedError(
      `neither ${flow.from} nor ${flow.to} is a workload of the estate: no simulated cloud sees this flow`,
      at(),
    );
  }
  if (from.kind === "workload" && to.kind === "workload" && from.workload.id === to.workload.id) {
    throw new SimulationRefusedError(
      `${from.workload.id} sends to itself: that traffic never leaves the workload`,
      at("to"),
    );
  }
  return { index, from, to };
}
