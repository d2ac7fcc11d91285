import fc from "fast-check";
import {
  DEFAULT_GCP_PRIORITIES,
  DEFAULT_GCP_QUOTAS,
  type GcpQuotas,
} from "../../../lib/clouds/gcp/config.js";
import type { GcpFinding, GcpState } from "../../../lib/clouds/gcp/model.js";
import { createGcpProvider, type GcpConnection, type GcpProvider } from "../../../lib/clouds/gcp/provider.js";
import { compile } from "../../../lib/compile/compile.js";
import type { Intent } from "../../../lib/compile/model.js";
import { parseNetworkId, parseWorkloadId } from "../../../lib/inventory/ids.js";
import type { Workload } from "../../../lib/inventory/model.js";
import type { Policy } from "../../../lib/policy/model.js";
import { SimulatedCompute } from "../../../sim/clouds/gcp/api.js";
import { NETWORKS } from "../../compile/arbitraries.js";
import { SEALER } from "../../support/seals.js";
import { labelTagsArb } from "../intent-probes.js";

/**
 * Several simulated projects, with Shared VPC: shop-prod hosts prod-net, which instances of the
 * two service projects may use besides their own networks. Two projects have a network named
 * `default` (with its pre-populated rules), so that anything keyed by network name alone mixes
 * projects up.
 */
export const HOST = "shop-prod";
export const PROJECTS = ["blog-prod-data", HOST, "tools-dev1"] as const;
export const SHARED = `gcp:${HOST}:prod-net`;
const OWN_NETWORKS: Readonly<Record<string, readonly string[]>> = {
  "blog-prod-data": ["data-net", "default"],
  [HOST]: ["prod-net", "default"],
  "tools-dev1": ["tools-net"],
};
/** Every GCP network id, each project's own ones. */
export const PROJECT_NETWORKS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  PROJECTS.map((p) => [p, (OWN_NETWORKS[p] ?? []).map((n) => `gcp:${p}:${n}`)]),
);
const ALL_NETWORKS = PROJECTS.flatMap((p) => PROJECT_NETWORKS[p] ?? []);

const IDS = [
  `gcp:${HOST}:us-central1-a:vm-1`,
  `gcp:${HOST}:us-central1-b:vm-2`,
  "gcp:blog-prod-data:us-central1-a:vm-3",
  "gcp:blog-prod-data:europe-west1-b:vm-4",
  "gcp:tools-dev1:us-central1-a:vm-5",
  "gcp:tools-dev1:us-central1-b:vm-6",
  "aws:111111111111:us-east-1:i-0a00000000000001",
  "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-app:vm-1",
];

/** The networks an instance of the project may have NICs in: its own, and the host's for a service project. */
function usableNetworks(project: string): string[] {
  const own = [...(PROJECT_NETWORKS[project] ?? [])];
  return project === HOST ? own : [...own, SHARED];
}

function workloadArb(id: string, index: number): fc.Arbitrary<Workload> {
  const project = id.startsWith("gcp:") ? (id.split(":")[1] ?? "") : "";
  const networks: fc.Arbitrary<string[]> = id.startsWith("gcp:")
    ? fc.subarray(usableNetworks(project), { minLength: 1, maxLength: 2 })
    : fc.constant([id.startsWith("aws:") ? (NETWORKS[0] as string) : (NETWORKS[2] as string)]);
  return fc
    .record({
      networks,
      publicIps: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
      running: fc.constantFrom(true, true, true, true, false),
      tags: labelTagsArb,
    })
    .map(({ networks: chosen, publicIps, running, tags }) => ({
      id,
      state: running ? "running" : "stopped",
      nics: chosen.map((network, k) => ({
        network,
        privateIp: network.endsWith(":default")
          ? `10.128.${index + 1}.${k + 2}`
          : `10.${20 + (network.startsWith("gcp:") ? ALL_NETWORKS.indexOf(network) : 10)}.${index + 1}.${k + 2}`,
        ...(publicIps[k] ? { publicIp: `35.0.${index + 1}.${k + 2}` } : {}),
      })),
      tags,
    }));
}

/** Workloads in every project (at least one in two of them), and in the other clouds. */
export const projectsEstateArb: fc.Arbitrary<Workload[]> = fc
  .subarray(
    IDS.map((id, index) => ({ id, index })),
    { minLength: 2 },
  )
  .filter((picked) => new Set(picked.map(({ id }) => id.split(":").slice(0, 2).join(":"))).size >= 2)
  .chain((picked) => fc.tuple(...picked.map(({ id, index }) => workloadArb(id, index))));

/** A customer rule per chosen network: priority 500 decides before segsync's band, 1000 after it. */
export interface CustomerRule {
  readonly project: string;
  readonly network: string;
  readonly priority: number;
}

export const customerRulesArb: fc.Arbitrary<CustomerRule[]> = fc.subarray(ALL_NETWORKS).chain((networks) =>
  fc.tuple(
    ...networks.map((id) =>
      fc.constantFrom(500, 1000).map((priority): CustomerRule => {
        const network = parseNetworkId(id);
        if (network.cloud !== "gcp") throw new TypeError(id);
        return { project: network.project, network: network.networkName, priority };
      }),
    ),
  ),
);

/** Tight quotas more often than not: which destinations fit is what crosses destinations. */
export const projectLimitsArb: fc.Arbitrary<GcpQuotas> = fc.constantFrom(
  DEFAULT_GCP_QUOTAS,
  { ...DEFAULT_GCP_QUOTAS, sourceRangesPerRule: 1, sourceTagsPerRule: 1 },
  { ...DEFAULT_GCP_QUOTAS, firewallRulesPerProject: 8 },
  { ...DEFAULT_GCP_QUOTAS, firewallRulesPerProject: 10, sourceRangesPerRule: 1, sourceTagsPerRule: 1 },
  { ...DEFAULT_GCP_QUOTAS, firewallRulesPerProject: 14, sourceRangesPerRule: 2, sourceTagsPerRule: 1 },
);

/** The simulated projects of an estate, and the provider's full pipeline over them. */
export class ProjectsTestbed {
  readonly sims = new Map<string, SimulatedCompute>();
  readonly provider: GcpProvider;
  readonly connection: GcpConnection;

  constructor(workloads: readonly Workload[], rules: readonly CustomerRule[], limits: GcpQuotas) {
    this.provider = createGcpProvider({ quotas: limits, priorities: DEFAULT_GCP_PRIORITIES, sealer: SEALER });
    for (const project of PROJECTS) {
      const sim = SimulatedCompute.empty(project, { limits });
      for (const name of OWN_NETWORKS[project] ?? [])
        sim.createNetwork({ name, withDefaultRules: name === "default" });
      this.sims.set(project, sim);
    }
    for (const rule of rules) {
      this.sim(rule.project).createFirewall({
        name: `customer-${rule.network}`,
        network: rule.network,
        priority: rule.priority,
        sourceRanges: ["0.0.0.0/0"],
        allowed: [{ IPProtocol: "tcp", ports: ["22"] }],
      });
    }
    for (const workload of workloads) {
      const id = parseWorkloadId(workload.id);
      if (id.cloud !== "gcp") continue;
      const [primary, ...others] = workload.nics;
      if (!primary) continue;
      const nic = (n: (typeof workload.nics)[number]) => {
        const network = parseNetworkId(n.network);
        if (network.cloud !== "gcp") throw new TypeError(`${n.network} is not a GCP network`);
        return {
          // A bare name for the project's own network, a URL for the host's (Shared VPC).
          network:
            network.project === id.project
              ? network.networkName
              : `https://www.googleapis.com/compute/v1/projects/${network.project}/global/networks/${network.networkName}`,
          networkIP: n.privateIp,
          ...(n.publicIp === undefined ? {} : { natIP: n.publicIp }),
        };
      };
      this.sim(id.project).createInstance({
        zone: id.zone,
        name: id.instanceName,
        labels: Object.fromEntries(
          Object.entries(workload.tags).filter(([key]) => /^[a-z][a-z0-9_-]{0,62}$/.test(key)),
        ),
        ...nic(primary),
        moreInterfaces: others.map(nic),
      });
      if (workload.state === "stopped")
        this.sim(id.project).setStatus(id.zone, id.instanceName, "TERMINATED", { keepNatIp: true });
    }
    this.connection = { apiFor: (project) => this.sim(project), projects: [...PROJECTS] };
  }

  sim(project: string): SimulatedCompute {
    const sim = this.sims.get(project);
    if (!sim) throw new Error(`no simulated project ${project}`);
    return sim;
  }

  /** Every project's native state, as the simulator holds it. */
  native(): Map<string, unknown> {
    return new Map([...this.sims].map(([project, sim]) => [project, sim.state()]));
  }

  /**
   * Discovers every project (or the narrowed connection's) and compiles the intent from the
   * workloads; the state is the simulated projects' whole, as GcpTestbed's is: discovery reads only
   * the rules of networks the project's own instances use, so a Shared VPC host's customer rules
   * would count against its quota in Compute but not in the plan.
   */
  async read(
    policy: Policy,
    others: readonly Workload[],
    connection: GcpConnection = this.connection,
  ): Promise<{ intent: Intent; state: GcpState; discovered: GcpState }> {
    const discovered = await this.provider.discover(connection, policy.labels);
    const intent = compile(policy, { workloads: [...discovered.workloads, ...others], networks: [] });
    const state = connection.projects.map((p) => this.sim(p).state());
    return { intent, state, discovered: discovered.state };
  }

  /** A full reconcile: read every project, plan, apply. */
  async reconcile(policy: Policy, others: readonly Workload[]): Promise<void> {
    const { intent, state } = await this.read(policy, others);
    const plan = this.provider.diff(this.provider.materialize(intent, state, policy), state);
    await this.provider.apply(plan, this.connection, () => {});
  }
}

/** The project a finding is about: the rule's, the destination network's, or the instance's. */
export function findingProject(finding: GcpFinding): string {
  if (finding.code === "gcp-rule-precedes") return finding.subject.slice(0, finding.subject.indexOf("/"));
  const at = finding.subject.indexOf("@");
  // `<hash>@<network>`, then `|<rule name>` for gcp-additive-extra-flows.
  if (at >= 0) return projectOfNetwork(finding.subject.slice(at + 1).split("|")[0] ?? "");
  const workload = parseWorkloadId(finding.subject);
  if (workload.cloud !== "gcp") throw new TypeError(`${finding.subject} is not a GCP workload`);
  return workload.project;
}

export function projectOfNetwork(id: string): string {
  const network = parseNetworkId(id);
  if (network.cloud !== "gcp") throw new TypeError(`${id} is not a GCP network`);
  return network.project;
}
