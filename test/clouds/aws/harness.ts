import { applyAwsPlan } from "../../../lib/clouds/aws/apply.js";
import type { AwsQuotas } from "../../../lib/clouds/aws/config.js";
import type { AwsDesired } from "../../../lib/clouds/aws/desired.js";
import { diffAws } from "../../../lib/clouds/aws/diff.js";
import { discoverAws } from "../../../lib/clouds/aws/discover.js";
import { materializeAws } from "../../../lib/clouds/aws/materialize.js";
import { type AwsLocation, type AwsState, locationKey } from "../../../lib/clouds/aws/model.js";
import type { AwsOperation } from "../../../lib/clouds/aws/operations.js";
import { compile } from "../../../lib/compile/compile.js";
import type { Intent } from "../../../lib/compile/model.js";
import { parseNetworkId, parseWorkloadId } from "../../../lib/inventory/ids.js";
import type { Workload } from "../../../lib/inventory/model.js";
import type { Attachment, Policy } from "../../../lib/policy/model.js";
import { AWS_WRITE_METHODS, SimulatedEc2 } from "../../../sim/clouds/aws/api.js";
import { AWS_OWNERSHIP } from "../../support/seals.js";

/** Simulated EC2 locations built from estate workloads, and the pipeline run over them. */
export class AwsTestbed {
  readonly sims = new Map<string, SimulatedEc2>();

  constructor(
    workloads: readonly Workload[],
    private readonly quotas: AwsQuotas,
  ) {
    for (const workload of workloads) {
      const id = parseWorkloadId(workload.id);
      if (id.cloud !== "aws") continue;
      const sim = this.sim({ account: id.account, region: id.region });
      const [primary, ...others] = workload.nics;
      if (!primary) continue;
      sim.runInstance({
        instanceId: id.instanceId,
        vpcId: vpcOf(primary.network),
        privateIp: primary.privateIp,
        ...(primary.publicIp === undefined ? {} : { publicIp: primary.publicIp }),
        tags: workload.tags,
      });
      for (const nic of others) {
        sim.attachNetworkInterface(id.instanceId, {
          vpcId: vpcOf(nic.network),
          privateIp: nic.privateIp,
          ...(nic.publicIp === undefined ? {} : { publicIp: nic.publicIp }),
        });
      }
      if (workload.state === "stopped") sim.setInstanceState(id.instanceId, "stopped");
    }
  }

  sim(location: AwsLocation): SimulatedEc2 {
    const key = locationKey(location);
    let sim = this.sims.get(key);
    if (!sim) {
      sim = SimulatedEc2.empty(location, { quotas: this.quotas });
      this.sims.set(key, sim);
    }
    return sim;
  }

  state(): AwsState {
    return [...this.sims.keys()].sort().map((key) => (this.sims.get(key) as SimulatedEc2).state());
  }

  /** Discovery through the port, as production does it. */
  async discover(policy: Policy): Promise<Workload[]> {
    const found: Workload[] = [];
    for (const sim of this.sims.values())
      found.push(...(await discoverAws(sim, policy.labels, AWS_OWNERSHIP)).workloads);
    return found;
  }

  /** compile → materialize → diff → apply; returns what it planned. */
  async reconcile(
    policy: Policy,
    others: readonly Workload[],
    attachment: Attachment,
  ): Promise<{ intent: Intent; desired: AwsDesired; plan: AwsOperation[] }> {
    const intent = compile(policy, {
      workloads: [...(await this.discover(policy)), ...others],
      networks: [],
    });
    const state = this.state();
    const desired = materializeAws(intent, state, {
      quotas: this.quotas,
      attachment,
      ownership: AWS_OWNERSHIP,
    });
    const plan = diffAws(desired, state, AWS_OWNERSHIP);
    await applyAwsPlan(plan, (location) => this.sim(location), AWS_OWNERSHIP);
    return { intent, desired, plan };
  }

  writes(): number {
    return [...this.sims.values()].reduce(
      (sum, sim) => sum + sim.calls.filter((c) => AWS_WRITE_METHODS.has(c.method)).length,
      0,
    );
  }
}

function vpcOf(network: string): string {
  const parsed = parseNetworkId(network);
  if (parsed.cloud !== "aws") throw new TypeError(`${network} is not an AWS network`);
  return parsed.vpcId;
}
