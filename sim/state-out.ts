/**
 * The State document (`simulate --state-out`, docs/formats.md, "State"): the simulated clouds'
 * objects in each cloud's native JSON shapes, each list flat across locations and sorted by id, so
 * that the file is the same on every run. Terminated instances are gone from the simulators,
 * stopped ones stay.
 */
import type {
  AwsRegionState,
  Instance,
  ManagedPrefixList,
  NetworkInterface,
  SecurityGroup,
} from "../lib/clouds/aws/model.js";
import type {
  ApplicationSecurityGroup,
  AzureSubscriptionState,
  NetworkSecurityGroup,
  NetworkInterface as NicShape,
  PublicIPAddress,
  VirtualMachine,
} from "../lib/clouds/azure/model.js";
import type { GcpFirewall, GcpInstance, GcpProjectState } from "../lib/clouds/gcp/model.js";
import { compareText } from "../lib/util/compare-text.js";

export interface SimulatedState {
  readonly aws: {
    readonly instances: readonly Instance[];
    readonly networkInterfaces: readonly NetworkInterface[];
    readonly securityGroups: readonly SecurityGroup[];
    readonly managedPrefixLists: readonly ManagedPrefixList[];
  };
  readonly azure: {
    readonly virtualMachines: readonly VirtualMachine[];
    readonly networkInterfaces: readonly NicShape[];
    readonly networkSecurityGroups: readonly NetworkSecurityGroup[];
    readonly applicationSecurityGroups: readonly ApplicationSecurityGroup[];
    readonly publicIPAddresses: readonly PublicIPAddress[];
  };
  readonly gcp: { readonly instances: readonly GcpInstance[]; readonly firewalls: readonly GcpFirewall[] };
}

function sortedBy<T>(items: T[], key: (item: T) => string): T[] {
  return items.sort((a, b) => compareText(key(a), key(b)));
}

/** ARM ids ignore case: by the lowercased id, then as written. */
function armOrder<T extends { readonly id: string }>(items: T[]): T[] {
  return items.sort((a, b) => compareText(a.id.toLowerCase(), b.id.toLowerCase()) || compareText(a.id, b.id));
}

export function stateOut(
  aws: readonly AwsRegionState[],
  azure: readonly AzureSubscriptionState[],
  gcp: readonly GcpProjectState[],
): SimulatedState {
  return {
    aws: {
      instances: sortedBy(
        aws.flatMap((r) => r.instances),
        (i) => i.InstanceId,
      ),
      networkInterfaces: sortedBy(
        aws.flatMap((r) => r.networkInterfaces),
        (n) => n.NetworkInterfaceId,
      ),
      securityGroups: sortedBy(
        aws.flatMap((r) => r.securityGroups),
        (g) => g.GroupId,
      ),
      managedPrefixLists: sortedBy(
        aws.flatMap((r) => r.managedPrefixLists),
        (l) => l.PrefixListId,
      ),
    },
    azure: {
      virtualMachines: armOrder(azure.flatMap((s) => s.virtualMachines)),
      networkInterfaces: armOrder(azure.flatMap((s) => s.networkInterfaces)),
      networkSecurityGroups: armOrder(azure.flatMap((s) => s.networkSecurityGroups)),
      applicationSecurityGroups: armOrder(azure.flatMap((s) => s.applicationSecurityGroups)),
      publicIPAddresses: armOrder(azure.flatMap((s) => s.publicIPAddresses)),
    },
    gcp: {
      // selfLink is …/projects/<p>/zones/<z>/instances/<n> and …/projects/<p>/global/firewalls/<n>.
      instances: sortedBy(
        gcp.flatMap((p) => p.instances),
        (i) => i.selfLink ?? `${i.zone}/instances/${i.name}`,
      ),
      firewalls: sortedBy(
        gcp.flatMap((p) => p.firewalls),
        (f) => f.selfLink ?? f.name,
      ),
    },
  };
}
