/**
 * AWS's part of the traffic step (sim/clouds/traffic.ts): an instance's ENIs as EC2 holds them
 * now, and what their security groups decide, with AWS's own evaluator (lib/clouds/aws/evaluate.ts):
 * an ENI admits (and sends) what any of its groups' inbound (egress) rules allows; with no rule
 * that does, the traffic is rejected. AWS's own service addresses are never filtered.
 */
import { evaluateAws } from "../../../lib/clouds/aws/evaluate.js";
import { type AwsRegionState, locationKey, type NetworkInterface } from "../../../lib/clouds/aws/model.js";
import { formatNetworkId, parseWorkloadId } from "../../../lib/inventory/ids.js";
import type { WorkloadId } from "../../../lib/inventory/model.js";
import type { TrafficNic, TrafficView } from "../traffic.js";

/** What AWS's flow log names an ENI's records by. */
export interface AwsNicNative {
  readonly account: string;
  readonly region: string;
  readonly vpcId: string;
  readonly subnetId?: string;
  readonly instanceId: string;
  readonly interfaceId: string;
}

export type AwsTrafficNic = TrafficNic<AwsNicNative>;

/** `<location>|<instance id>` → its ENIs, primary (device index 0) first. */
function enisByInstance(states: readonly AwsRegionState[]): Map<string, NetworkInterface[]> {
  const byInstance = new Map<string, NetworkInterface[]>();
  for (const region of states) {
    for (const eni of region.networkInterfaces) {
      const instance = eni.Attachment?.InstanceId;
      if (instance === undefined) continue;
      const key = `${locationKey(region)}|${instance}`;
      byInstance.set(key, [...(byInstance.get(key) ?? []), eni]);
    }
  }
  for (const enis of byInstance.values())
    enis.sort((a, b) => (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0));
  return byInstance;
}

export function awsTrafficView(states: readonly AwsRegionState[]): TrafficView<AwsNicNative> {
  const reach = evaluateAws(states);
  const byInstance = enisByInstance(states);
  return {
    nicsOf(workload: WorkloadId): AwsTrafficNic[] {
      const parts = parseWorkloadId(workload);
      if (parts.cloud !== "aws") return [];
      const { account, region, instanceId } = parts;
      return (byInstance.get(`${account}:${region}|${instanceId}`) ?? []).map((eni) => ({
        workload,
        network: formatNetworkId({ cloud: "aws", account, region, vpcId: eni.VpcId }),
        privateIp: eni.PrivateIpAddress,
        ...(eni.Association === undefined ? {} : { publicIp: eni.Association.PublicIp }),
        native: {
          account,
          region,
          vpcId: eni.VpcId,
          ...(eni.SubnetId === undefined ? {} : { subnetId: eni.SubnetId }),
          instanceId,
          interfaceId: eni.NetworkInterfaceId,
        },
      }));
    },
    ingress(nic, sourceAddress, protocol, port) {
      const match = reach.explain(nic.native.interfaceId, sourceAddress, protocol, port);
      return match === undefined
        ? { accepted: false }
        : { accepted: true, by: { object: `${match.groupName} (${match.groupId})` } };
    },
    egress(nic, destinationAddress, protocol, port) {
      const match = reach.explainEgress(nic.native.interfaceId, destinationAddress, protocol, port);
      if (match === undefined) return { accepted: false };
      // An AWS service address that no security group filters: nothing of EC2's decided.
      if ("platform" in match) return { accepted: true };
      return { accepted: true, by: { object: `${match.groupName} (${match.groupId})` } };
    },
  };
}
