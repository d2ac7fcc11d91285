import { applyGcpPlan } from "../../../lib/clouds/gcp/apply.js";
import { DEFAULT_GCP_PRIORITIES, type GcpQuotas } from "../../../lib/clouds/gcp/config.js";
import { diffGcp } from "../../../lib/clouds/gcp/diff.js";
import { discoverGcp } from "../../../lib/clouds/gcp/discover.js";
import { type GcpDesired, materializeGcp } from "../../../lib/clouds/gcp/materialize.js";
import type { GcpState } from "../../../lib/clouds/gcp/model.js";
import type { GcpOperation } from "../../../lib/clouds/gcp/operations.js";
import { compile } from "../../../lib/compile/compile.js";
import type { Intent } from "../../../lib/compile/model.js";
import { parseNetworkId, parseWorkloadId } from "../../../lib/inventory/ids.js";
import type { Workload } from "../../../lib/inventory/model.js";
import type { Attachment, Policy } from "../../../lib/policy/model.js";
import { GCP_WRITE_METHODS, SimulatedCompute } from "../../../sim/clouds/gcp/api.js";
import { GCP_OWNERSHIP } from "../../support/seals.js";

export const PROJECT = "shop-prod";
export const GCP_NETWORKS = [`gcp:${PROJECT}:prod-net`, `gcp:${PROJECT}:default`];

/** One simulated project built from estate workloads, and the pipeline run over it. */
export class GcpTestbed {
  readonly sim: SimulatedCompute;

  constructor(
    workloads: readonly Workload[],
    private readonly limits: GcpQuotas,
  ) {
    this.sim = SimulatedCompute.empty(PROJECT, { limits });
    this.sim.createNetwork({ name: "prod-net" });
    // The default network keeps its pre-populated rules, default-allow-internal among them.
    this.sim.createNetwork({ name: "default", withDefaultRules: true });
    for (const workload of workloads) {
      const id = parseWorkloadId(workload.id);
      if (id.cloud !== "gcp") continue;
      const [primary, ...others] = workload.nics;
      if (!primary) continue;
      const nic = (n: (typeof workload.nics)[number]) => {
        const network = parseNetworkId(n.network);
        if (network.cloud !== "gcp") throw new TypeError(`${n.network} is not a GCP network`);
        return {
          network: network.networkName,
          networkIP: n.privateIp,
          ...(n.publicIp === undefined ? {} : { natIP: n.publicIp }),
        };
      };
      this.sim.createInstance({
        zone: id.zone,
        name: id.instanceName,
        // GCP label keys are lowercase: tags like AWS's `Name` cannot be labels there.
        labels: Object.fromEntries(
          Object.entries(workload.tags).filter(([key]) => /^[a-z][a-z0-9_-]{0,62}$/.test(key)),
        ),
        ...nic(primary),
        moreInterfaces: others.map(nic),
      });
      if (workload.state === "stopped")
        this.sim.setStatus(id.zone, id.instanceName, "TERMINATED", { keepNatIp: true });
    }
  }

  state(): GcpState {
    return [this.sim.state()];
  }

  options(attachment: Attachment) {
    return { quotas: this.limits, priorities: DEFAULT_GCP_PRIORITIES, attachment, ownership: GCP_OWNERSHIP };
  }

  async reconcile(
    policy: Policy,
    others: readonly Workload[],
    attachment: Attachment,
  ): Promise<{ intent: Intent; desired: GcpDesired; plan: GcpOperation[] }> {
    const discovered = await discoverGcp(this.sim, policy.labels, GCP_OWNERSHIP);
    const intent = compile(policy, { workloads: [...discovered.workloads, ...others], networks: [] });
    const state = this.state();
    const desired = materializeGcp(intent, state, this.options(attachment));
    const plan = diffGcp(desired, state, GCP_OWNERSHIP);
    await applyGcpPlan(plan, () => this.sim);
    return { intent, desired, plan };
  }

  writes(): number {
    return this.sim.calls.filter((c) => GCP_WRITE_METHODS.has(c.method)).length;
  }
}
