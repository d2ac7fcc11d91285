/**
 * Azure's part of the traffic step (sim/clouds/traffic.ts): a VM's NICs as ARM holds them now, and
 * what their NSG decides, with Azure's own evaluator (lib/clouds/azure/evaluate.ts): the NIC's NSG,
 * its inbound (outbound) rules and default rules by priority; a NIC without an NSG admits (sends)
 * everything.
 */
import { type AzureVerdict, evaluateAzure } from "../../../lib/clouds/azure/evaluate.js";
import { networkOfNic } from "../../../lib/clouds/azure/materialize.js";
import type {
  AzureSubscriptionState,
  NetworkInterface,
  NetworkSecurityGroup,
} from "../../../lib/clouds/azure/model.js";
import { parseWorkloadId } from "../../../lib/inventory/ids.js";
import type { WorkloadId } from "../../../lib/inventory/model.js";
import type { NativeDecision, TrafficNic, TrafficView } from "../traffic.js";

/** What Azure's flow log names a NIC's records by. */
export interface AzureNicNative {
  readonly subscription: string;
  readonly region: string;
  readonly nicId: string;
  readonly nicName: string;
  /** The ARM id of the NIC's VNet: the flow log's target. */
  readonly vnetId: string;
}

export type AzureTrafficNic = TrafficNic<AzureNicNative>;

interface Indexed {
  readonly nics: ReadonlyMap<string, NetworkInterface>;
  readonly nsgs: ReadonlyMap<string, NetworkSecurityGroup>;
  readonly publicIps: ReadonlyMap<string, string>;
  /** `<subscription>|<resource group>|<vm name>`, lowercase → its NIC ids, primary first. */
  readonly vmNics: ReadonlyMap<string, readonly string[]>;
}

function indexed(states: readonly AzureSubscriptionState[]): Indexed {
  const nics = new Map<string, NetworkInterface>();
  const nsgs = new Map<string, NetworkSecurityGroup>();
  const publicIps = new Map<string, string>();
  const vmNics = new Map<string, string[]>();
  for (const state of states) {
    for (const nic of state.networkInterfaces) nics.set(nic.id.toLowerCase(), nic);
    for (const nsg of state.networkSecurityGroups) nsgs.set(nsg.id.toLowerCase(), nsg);
    for (const ip of state.publicIPAddresses)
      if (ip.ipAddress !== undefined) publicIps.set(ip.id.toLowerCase(), ip.ipAddress);
    for (const vm of state.virtualMachines) {
      const refs = [...vm.networkProfile.networkInterfaces].sort(
        (a, b) => Number(b.primary ?? false) - Number(a.primary ?? false),
      );
      const key = `${state.subscription}|${vm.resourceGroup}|${vm.name}`.toLowerCase();
      vmNics.set(
        key,
        refs.map((ref) => ref.id.toLowerCase()),
      );
    }
  }
  return { nics, nsgs, publicIps, vmNics };
}

/** The NIC as the traffic step sees it: the address of its primary IP configuration. */
function trafficNic(
  workload: WorkloadId,
  nic: NetworkInterface,
  index: Indexed,
): AzureTrafficNic | undefined {
  const network = networkOfNic(nic);
  const configuration = nic.ipConfigurations.find((c) => c.primary) ?? nic.ipConfigurations[0];
  const subnet = configuration?.subnet.id;
  if (network === undefined || configuration === undefined || subnet === undefined) return undefined;
  const publicRef = configuration.publicIPAddress?.id.toLowerCase();
  const publicIp = publicRef === undefined ? undefined : index.publicIps.get(publicRef);
  return {
    workload,
    network,
    privateIp: configuration.privateIPAddress,
    ...(publicIp === undefined ? {} : { publicIp }),
    native: {
      subscription: network.split(":")[1] ?? "",
      region: nic.location,
      nicId: nic.id,
      nicName: nic.name,
      vnetId: subnet.replace(/\/subnets\/[^/]+$/i, ""),
    },
  };
}

/** The NSG's verdict as the traffic step records it: the NSG's id and the rule, a default one marked built in. */
function decisionOf(index: Indexed, nic: AzureTrafficNic, verdict: AzureVerdict): NativeDecision {
  const accepted = verdict.access === "Allow";
  const nsgId = index.nics.get(nic.native.nicId.toLowerCase())?.networkSecurityGroup?.id;
  const nsg = nsgId === undefined ? undefined : index.nsgs.get(nsgId.toLowerCase());
  if (nsg === undefined || verdict.rule === undefined) return { accepted };
  const rule = verdict.rule;
  const builtIn = nsg.defaultSecurityRules.some((r) => r.name === rule.name && r.priority === rule.priority);
  return { accepted, by: { object: nsg.id, rule: rule.name, priority: rule.priority, builtIn } };
}

export function azureTrafficView(states: readonly AzureSubscriptionState[]): TrafficView<AzureNicNative> {
  const reach = evaluateAzure(states);
  const index = indexed(states);
  return {
    nicsOf(workload) {
      const parts = parseWorkloadId(workload);
      if (parts.cloud !== "azure") return [];
      const key = `${parts.subscription}|${parts.resourceGroup}|${parts.vmName}`.toLowerCase();
      return (index.vmNics.get(key) ?? []).flatMap((id) => {
        const nic = index.nics.get(id);
        const found = nic === undefined ? undefined : trafficNic(workload, nic, index);
        return found === undefined ? [] : [found];
      });
    },
    ingress(nic, sourceAddress, protocol, port): NativeDecision {
      return decisionOf(index, nic, reach.explain(nic.native.nicId, sourceAddress, protocol, port));
    },
    egress(nic, destinationAddress, protocol, port): NativeDecision {
      const verdict = reach.explainEgress(nic.native.nicId, destinationAddress, protocol, port);
      return decisionOf(index, nic, verdict);
    },
  };
}
