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

/** The workloads by their primary private address, indexed once per step when an end is an address. */
class PrivateAddresses {
  private index: Map<string, LiveWorkload[]> | undefined;

  constructor(private readonly clouds: SimulatedClouds) {}

  /** The workload holding the address, when exactly one does (a stopped one keeps its address). */
  holder(address: string, path: readonly PathSegment[]): LiveWorkload | undefined {
    this.index ??= byPrivateIp(this.clouds.workloads());
    const holders = this.index.get(address) ?? [];
    if (holders.length > 1) {
      const ids = holders.map((workload) => workload.id).join(", ");
      throw new SimulationRefusedError(
        `${address} is the private address of ${ids}: name the workload`,
        path,
      );
    }
    return holders[0];
  }
}

function byPrivateIp(workloads: readonly LiveWorkload[]): Map<string, LiveWorkload[]> {
  const index = new Map<string, LiveWorkload[]>();
  for (const workload of workloads)
    index.set(workload.privateIp, [...(index.get(workload.privateIp) ?? []), workload]);
  return index;
}

function endpointOf(
  clouds: SimulatedClouds,
  addresses: PrivateAddresses,
  text: string,
  path: readonly PathSegment[],
): TrafficEndpoint {
  const isId = text.includes(":");
  const workload = isId
    ? clouds.workload(text)
    : (clouds.runningWithPublicIp(text) ?? addresses.holder(text, path));
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
  const addresses = new PrivateAddresses(clouds);
  return spec.map((flow, index) => resolveFlow(clouds, addresses, flow, index));
}

/** Why each flow that could not be sent could not, at its path: a scenario's check reports them all. */
export function trafficRefusals(clouds: SimulatedClouds, spec: TrafficSpec): SimulationRefusedError[] {
  const addresses = new PrivateAddresses(clouds);
  return spec.flatMap((flow, index) => {
    try {
      resolveFlow(clouds, addresses, flow, index);
      return [];
    } catch (error) {
      if (error instanceof SimulationRefusedError) return [error];
      throw error;
    }
  });
}

function resolveFlow(
  clouds: SimulatedClouds,
  addresses: PrivateAddresses,
  flow: TrafficSpec[number],
  index: number,
): ResolvedFlow {
  const at = (...rest: PathSegment[]): PathSegment[] => ["traffic", index, ...rest];
  const from = endpointOf(clouds, addresses, flow.from, at("from"));
  const to = endpointOf(clouds, addresses, flow.to, at("to"));
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
