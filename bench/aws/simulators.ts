/**
 * One SimulatedEc2 per (account, region) of the estate, the inventory changes played on them
 * through the simulation controls (what happens outside segsync), and their state as
 * materialize and diff read it. state() of a location is re-read only when something touched
 * it (a control, or a write): SimulatedEc2.state() describes every instance by scanning every
 * ENI, which at ~3,000 instances per location costs most of a second.
 */
import type { AwsApi } from "../../lib/clouds/aws/api.js";
import type { AwsQuotas } from "../../lib/clouds/aws/config.js";
import {
  type AwsLocation,
  type AwsRegionState,
  type AwsState,
  locationKey,
} from "../../lib/clouds/aws/model.js";
import { AWS_WRITE_METHODS, type AwsApiMethod, SimulatedEc2 } from "../../lib/clouds/aws/sim-api.js";
import type { Workload, WorkloadChange } from "../../lib/inventory/model.js";
import { compareText } from "../../lib/util/compare-text.js";
import { awsInstanceOf, vpcOf } from "./estate-state.js";

/** What a change did to EC2, as the simulation controls played it. */
export type SimulatedChange =
  | "launch"
  | "stop"
  | "start"
  | "terminate"
  | "retag"
  | "public-ip"
  /** A change EC2 does not see (a public IP released by a running instance: no control for it). */
  | "none";

export class AwsSimulators {
  private readonly sims = new Map<string, SimulatedEc2>();
  private readonly states = new Map<string, AwsRegionState>();
  private readonly stale = new Set<string>();

  constructor(
    initial: AwsState,
    private readonly quotas: AwsQuotas,
  ) {
    for (const region of initial) {
      const key = locationKey(region);
      this.sims.set(key, new SimulatedEc2(region, { quotas }));
      this.states.set(key, region);
    }
  }

  /** The api factory applyAwsPlan takes; a location not seen yet starts empty. */
  readonly apiFor = (location: AwsLocation): AwsApi => this.sim(location);

  /** Plays one inventory change of an AWS workload on its simulator; `previous` is the workload before. */
  play(change: WorkloadChange, previous: Workload | undefined): SimulatedChange {
    const id = change.kind === "delete" ? change.id : change.workload.id;
    const aws = awsInstanceOf(id);
    if (aws === undefined) throw new TypeError(`${id} is not an AWS workload`);
    const sim = this.sim(aws.location);
    this.stale.add(locationKey(aws.location));
    if (change.kind === "delete") {
      if (previous === undefined) throw new TypeError(`${id} is terminated but was never launched`);
      sim.terminateInstance(aws.instanceId);
      return "terminate";
    }
    const next = change.workload;
    if (previous === undefined) {
      launch(sim, aws.instanceId, next);
      return "launch";
    }
    if (previous.state !== next.state) {
      const publicIp = next.state === "running" ? next.nics[0]?.publicIp : undefined;
      sim.setInstanceState(aws.instanceId, next.state, publicIp === undefined ? {} : { publicIp });
      return next.state === "running" ? "start" : "stop";
    }
    if (!sameTags(previous.tags, next.tags)) {
      sim.setInstanceTags(aws.instanceId, next.tags);
      return "retag";
    }
    const publicIp = next.nics[0]?.publicIp;
    if (next.state === "running" && publicIp !== undefined && publicIp !== previous.nics[0]?.publicIp) {
      sim.setInstanceState(aws.instanceId, "running", { publicIp });
      return "public-ip";
    }
    // Releasing a running instance's public IP has no simulation control. Nothing AWS-side reads
    // it (materialize and diff see ENI ids, groups and tags; the compiler sees the inventory).
    return "none";
  }

  /** Every location, as materialize and diff read it; locations touched since the last call are re-read. */
  state(): AwsState {
    for (const key of this.stale) {
      const sim = this.sims.get(key);
      if (sim) this.states.set(key, sim.state());
    }
    this.stale.clear();
    return [...this.states.entries()].sort(([a], [b]) => compareText(a, b)).map(([, state]) => state);
  }

  clearCalls(): void {
    for (const sim of this.sims.values()) sim.clearCalls();
  }

  /** Write calls logged since clearCalls, by method; the locations they went to become stale. */
  writes(): Map<AwsApiMethod, number> {
    const byMethod = new Map<AwsApiMethod, number>();
    for (const [key, sim] of this.sims) {
      for (const call of sim.calls) {
        if (!AWS_WRITE_METHODS.has(call.method)) continue;
        byMethod.set(call.method, (byMethod.get(call.method) ?? 0) + 1);
        this.stale.add(key);
      }
    }
    return byMethod;
  }

  private sim(location: AwsLocation): SimulatedEc2 {
    const key = locationKey(location);
    let sim = this.sims.get(key);
    if (!sim) {
      sim = SimulatedEc2.empty(location, { quotas: this.quotas });
      this.sims.set(key, sim);
      this.stale.add(key);
    }
    return sim;
  }
}

function launch(sim: SimulatedEc2, instanceId: string, workload: Workload): void {
  const [primary, ...others] = workload.nics;
  if (primary === undefined) throw new TypeError(`${workload.id} has no NIC to launch with`);
  sim.runInstance({
    instanceId,
    vpcId: vpcOf(primary.network),
    privateIp: primary.privateIp,
    ...(primary.publicIp === undefined ? {} : { publicIp: primary.publicIp }),
    tags: workload.tags,
  });
  for (const nic of others) {
    sim.attachNetworkInterface(instanceId, {
      vpcId: vpcOf(nic.network),
      privateIp: nic.privateIp,
      ...(nic.publicIp === undefined ? {} : { publicIp: nic.publicIp }),
    });
  }
  if (workload.state === "stopped") sim.setInstanceState(instanceId, "stopped");
}

function sameTags(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
