/**
 * GCP's part of the traffic step (sim/clouds/traffic.ts): an instance's network interfaces as
 * Compute holds them now, and what the firewall rules of each interface's network decide, with
 * GCP's own evaluator (lib/clouds/gcp/evaluate.ts): the lowest priority number wins, deny before
 * allow at equal priority, and the implied rules deny the ingress and allow the egress that no
 * rule decides (the metadata server is never filtered).
 */
import { evaluateGcp, type GcpVerdict } from "../../../lib/clouds/gcp/evaluate.js";
import { type GcpProjectState, parseNetworkUrl, zoneName } from "../../../lib/clouds/gcp/model.js";
import { formatNetworkId, parseWorkloadId } from "../../../lib/inventory/ids.js";
import type { WorkloadId } from "../../../lib/inventory/model.js";
import type { NativeDecision, TrafficNic, TrafficView } from "../traffic.js";

/** What GCP's logs name an instance's entries by. */
export interface GcpNicNative {
  readonly project: string;
  readonly zone: string;
  readonly instanceName: string;
  /** The network's host project (a Shared VPC's), whose logs hold the network's entries. */
  readonly networkProject: string;
  readonly networkName: string;
}

export type GcpTrafficNic = TrafficNic<GcpNicNative>;

/** The firewall's verdict as the traffic step records it: the rule that decided, when one did (not an implied one). */
function decisionOf(verdict: GcpVerdict): NativeDecision {
  const accepted = verdict.access === "allow";
  return verdict.rule === undefined
    ? { accepted }
    : { accepted, by: { object: verdict.rule.name, priority: verdict.rule.priority } };
}

export function gcpTrafficView(states: readonly GcpProjectState[]): TrafficView<GcpNicNative> {
  const reach = evaluateGcp(states);
  const instances = new Map(
    states.flatMap((state) =>
      state.instances.map((instance) => [
        `${state.project}|${zoneName(instance.zone)}|${instance.name}`,
        instance,
      ]),
    ),
  );
  return {
    nicsOf(workload: WorkloadId): GcpTrafficNic[] {
      const parts = parseWorkloadId(workload);
      if (parts.cloud !== "gcp") return [];
      const { project, zone, instanceName } = parts;
      const instance = instances.get(`${project}|${zone}|${instanceName}`);
      return (instance?.networkInterfaces ?? []).flatMap((nic) => {
        const network = parseNetworkUrl(nic.network);
        if (network === undefined) return [];
        const publicIp = nic.accessConfigs?.find((config) => config.natIP !== undefined)?.natIP;
        return [
          {
            workload,
            network: formatNetworkId({ cloud: "gcp", project: network.project, networkName: network.name }),
            privateIp: nic.networkIP,
            ...(publicIp === undefined ? {} : { publicIp }),
            native: {
              project,
              zone,
              instanceName,
              networkProject: network.project,
              networkName: network.name,
            },
          },
        ];
      });
    },
    ingress(nic, sourceAddress, protocol, port) {
      const { project, zone, instanceName, networkProject, networkName } = nic.native;
      const network = `${networkProject}/${networkName}`;
      return decisionOf(reach.explain(project, zone, instanceName, network, sourceAddress, protocol, port));
    },
    egress(nic, destinationAddress, protocol, port) {
      const { project, zone, instanceName, networkProject, networkName } = nic.native;
      const network = `${networkProject}/${networkName}`;
      return decisionOf(
        reach.explainEgress(project, zone, instanceName, network, destinationAddress, protocol, port),
      );
    },
  };
}
