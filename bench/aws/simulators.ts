/**
 * One SimulatedEc2 per (account, region) of the estate, the inventory changes played on them
 * through the simulation controls (what happens outside segsync), and their state as
 * materialize and diff read it. state() of a location is re-read only when something touched
 * it (common/simulators.ts): SimulatedEc2.state() describes every instance by scanning every
 * ENI, which at ~3,000 instances per location costs most of a second.
 */

import type { AwsApi } from "../../lib/clouds/aws/api.js";
import { applyAwsPlan } from "../../lib/clouds/aws/apply.js";
import type { AwsQuotas } from "../../lib/clouds/aws/config.js";
import {
  type AwsLocation,
  type AwsRegionState,
  type AwsState,
  locationKey,
} from "../../lib/clouds/aws/model.js";
import type { AwsOperation } from "../../lib/clouds/aws/operations.js";
import type { Workload, WorkloadChange } from "../../lib/inventory/model.js";
import { AWS_WRITE_METHODS, SimulatedEc2 } from "../../sim/clouds/aws/api.js";
import { playChange, type SimulatedChange } from "../common/changes.js";
import { AWS_OWNERSHIP } from "../common/seals.js";
import { SimulatorFleet } from "../common/simulators.js";
import type { CloudSimulators } from "../common/writes.js";
import { awsInstanceOf, vpcOf } from "./estate-state.js";

export class AwsSimulators
  extends SimulatorFleet<SimulatedEc2, AwsRegionState>
  implements CloudSimulators<AwsState, AwsOperation>
{
  constructor(
    initial: AwsState,
    private readonly quotas: AwsQuotas,
  ) {
    super(AWS_WRITE_METHODS);
    for (const region of initial)
      this.load(locationKey(region), new SimulatedEc2(region, { quotas }), region);
  }

  /** The api factory applyAwsPlan takes; a location not seen yet starts empty. */
  readonly apiFor = (location: AwsLocation): AwsApi => this.sim(location);

  /** Plays one inventory change of an AWS workload on its simulator; `previous` is the workload before. */
  play(change: WorkloadChange, previous: Workload | undefined): SimulatedChange {
    const id = change.kind === "delete" ? change.id : change.workload.id;
    const aws = awsInstanceOf(id);
    if (aws === undefined) throw new TypeError(`${id} is not an AWS workload`);
    const sim = this.sim(aws.location);
    this.touch(locationKey(aws.location));
    // Releasing a running instance's public IP has no simulation control (such a change is "none").
    // Nothing AWS-side reads it: materialize and diff see ENI ids, groups and tags; the compiler sees the inventory.
    return playChange(change, previous, {
      launch: (workload) => launch(sim, aws.instanceId, workload),
      terminate: () => sim.terminateInstance(aws.instanceId),
      setState: (state, publicIp) =>
        sim.setInstanceState(aws.instanceId, state, publicIp === undefined ? {} : { publicIp }),
      setPublicIp: (publicIp) => {
        sim.setInstanceState(aws.instanceId, "running", { publicIp });
        return true;
      },
      setTags: (tags) => sim.setInstanceTags(aws.instanceId, tags),
    });
  }

  async apply(plan: readonly AwsOperation[]): Promise<void> {
    await applyAwsPlan(plan, this.apiFor, AWS_OWNERSHIP);
  }

  private sim(location: AwsLocation): SimulatedEc2 {
    return this.simulator(locationKey(location), () => SimulatedEc2.empty(location, { quotas: this.quotas }));
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
