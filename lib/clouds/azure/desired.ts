import type { CodedFinding } from "../common/findings.js";
import type { SecurityRule } from "./model.js";

/**
 * What segsync wants ARM to hold: owned NSGs (one per identity and region) and ASGs (one per
 * identity and VNet), and the NSG association and ASG memberships of every NIC it enforces or
 * gives back. Owned objects live in the subscription's segsync resource group.
 */
export interface DesiredApplicationSecurityGroup {
  readonly subscription: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  readonly identity: string;
  /** The VNet (network id) whose NICs join it. */
  readonly network: string;
}

export interface DesiredNetworkSecurityGroup {
  readonly subscription: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  readonly identity: string;
  /** Whether open flows are re-evaluated when the rules change (config: quotas.flushConnection). */
  readonly flushConnection: boolean;
  /** Inbound rules, and outbound ones where egress is enforced (v2), sorted by name; ASGs named by resource id. */
  readonly securityRules: readonly SecurityRule[];
}

export interface DesiredNetworkInterface {
  readonly subscription: string;
  /** The NIC's resource id. */
  readonly id: string;
  readonly workload: string;
  /** The NSG to associate (resource id), or undefined for none. */
  readonly networkSecurityGroupId: string | undefined;
  /** Per IP configuration name: the owned ASG ids it must be a member of (others it has stay). */
  readonly ownedApplicationSecurityGroupIds: Readonly<Record<string, readonly string[]>>;
  /** record: write the original NSG into the NIC's tag (when absent); remove: drop that tag; keep. */
  readonly originalNsgTag: "record" | "keep" | "remove";
}

export type AzureFinding = CodedFinding<
  | "azure-quota"
  | "azure-additive-conflict"
  | "azure-additive-egress"
  | "azure-interface-missing"
  | "azure-no-resource-group"
  | "azure-original-nsg-missing"
>;

export interface AzureDesired {
  readonly applicationSecurityGroups: readonly DesiredApplicationSecurityGroup[];
  readonly networkSecurityGroups: readonly DesiredNetworkSecurityGroup[];
  /** NICs not listed are left exactly as they are. */
  readonly networkInterfaces: readonly DesiredNetworkInterface[];
  readonly findings: readonly AzureFinding[];
}
