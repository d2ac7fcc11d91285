/**
 * One SimulatedCompute per project of the estate, the inventory changes of GCP workloads played
 * on them through the simulation controls (an instance created, stopped, started, deleted or
 * relabelled), and their state as materialize and diff read it (common/simulators.ts re-reads
 * only the projects something touched).
 */

import type { GcpApi } from "../../lib/clouds/gcp/api.js";
import { applyGcpPlan } from "../../lib/clouds/gcp/apply.js";
import type { GcpQuotas } from "../../lib/clouds/gcp/config.js";
import { GcpApiError } from "../../lib/clouds/gcp/errors.js";
import { type GcpProjectState, type GcpState, parseNetworkUrl } from "../../lib/clouds/gcp/model.js";
import type { GcpOperation } from "../../lib/clouds/gcp/operations.js";
import type { Workload, WorkloadChange } from "../../lib/inventory/model.js";
import { GCP_WRITE_METHODS, SimulatedCompute } from "../../sim/clouds/gcp/api.js";
import { checkLabels } from "../../sim/clouds/gcp/names.js";
import { playChange, type SimulatedChange } from "../common/changes.js";
import { SimulatorFleet } from "../common/simulators.js";
import type { CloudSimulators } from "../common/writes.js";
import { type GcpInstanceRef, gcpInstanceOf, gcpNetworkOf } from "./estate-state.js";

export class GcpSimulators
  extends SimulatorFleet<SimulatedCompute, GcpProjectState>
  implements CloudSimulators<GcpState, GcpOperation>
{
  /** project → the names of its networks the simulator holds (createInstance needs them). */
  private readonly networks = new Map<string, Set<string>>();

  constructor(
    initial: GcpState,
    private readonly limits: GcpQuotas,
  ) {
    super(GCP_WRITE_METHODS);
    for (const project of initial) {
      this.load(project.project, new SimulatedCompute(project, { limits }), project);
      const names = this.networksOf(project.project);
      for (const instance of project.instances) {
        for (const nic of instance.networkInterfaces) {
          const network = parseNetworkUrl(nic.network);
          if (network?.project === project.project) names.add(network.name);
        }
      }
    }
  }

  /** The api factory applyGcpPlan takes; a project not seen yet starts empty. */
  readonly apiFor = (project: string): GcpApi => this.sim(project);

  /**
   * Plays one inventory change of a GCP workload on its simulator; `previous` is the workload
   * before. Undefined, and nothing played, when Compute would refuse the labels (a value with
   * capitals, copied from another cloud's workload): such a change cannot happen in GCP. An
   * external address released while the instance runs has no simulation control (such a change
   * is "none"); nothing GCP-side that segsync reads holds natIPs.
   */
  play(change: WorkloadChange, previous: Workload | undefined): SimulatedChange | undefined {
    const id = change.kind === "delete" ? change.id : change.workload.id;
    const ref = gcpInstanceOf(id);
    if (ref === undefined) throw new TypeError(`${id} is not a GCP workload`);
    if (change.kind === "upsert" && !validLabels(change.workload.tags)) return undefined;
    const sim = this.sim(ref.project);
    this.touch(ref.project);
    const { zone, instanceName: name } = ref;
    return playChange(change, previous, {
      launch: (workload) => this.launch(sim, ref, workload),
      terminate: () => sim.deleteInstance(zone, name),
      setState: (state, natIP) =>
        state === "running"
          ? sim.setStatus(zone, name, "RUNNING", natIP === undefined ? {} : { natIP })
          : sim.setStatus(zone, name, "TERMINATED"),
      setPublicIp: (natIP) => {
        sim.setStatus(zone, name, "RUNNING", { natIP });
        return true;
      },
      setTags: (labels) => sim.setLabels(zone, name, labels),
    });
  }

  async apply(plan: readonly GcpOperation[]): Promise<void> {
    await applyGcpPlan(plan, this.apiFor);
  }

  private sim(project: string): SimulatedCompute {
    return this.simulator(project, () => SimulatedCompute.empty(project, { limits: this.limits }));
  }

  private networksOf(project: string): Set<string> {
    let names = this.networks.get(project);
    if (!names) {
      names = new Set();
      this.networks.set(project, names);
    }
    return names;
  }

  private launch(sim: SimulatedCompute, ref: GcpInstanceRef, workload: Workload): void {
    const nics = workload.nics.map((nic) => {
      const network = gcpNetworkOf(nic.network);
      const known = this.networksOf(network.project);
      if (!known.has(network.name)) {
        // A network in which no instance ran when the simulator was loaded.
        this.sim(network.project).createNetwork({ name: network.name });
        known.add(network.name);
      }
      return {
        network: network.url,
        networkIP: nic.privateIp,
        ...(nic.publicIp === undefined ? {} : { natIP: nic.publicIp }),
      };
    });
    const [primary, ...more] = nics;
    if (primary === undefined) throw new TypeError(`${workload.id} has no NIC to create it with`);
    sim.createInstance({
      ...primary,
      zone: ref.zone,
      name: ref.instanceName,
      labels: workload.tags,
      ...(more.length === 0 ? {} : { moreInterfaces: more }),
    });
    if (workload.state === "stopped") sim.setStatus(ref.zone, ref.instanceName, "TERMINATED");
  }
}

/** Labels Compute takes (lowercase keys and values, …). */
function validLabels(labels: Readonly<Record<string, string>>): boolean {
  try {
    checkLabels(labels);
    return true;
  } catch (error) {
    if (error instanceof GcpApiError) return false;
    throw error;
  }
}
