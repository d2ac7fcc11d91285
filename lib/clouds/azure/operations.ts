import type { NetworkInterface, SecurityRule } from "./model.js";

/**
 * One ARM write. A plan is a list of these in make-before-break order (diff.ts): create ASGs,
 * let NICs join the ASGs that new rules reference, write NSGs, associate NICs, then delete what
 * nothing uses any more.
 */
export type AzureOperation = { readonly subscription: string } & (
  | {
      readonly kind: "putApplicationSecurityGroup";
      readonly resourceGroup: string;
      readonly name: string;
      readonly location: string;
      readonly identity: string;
    }
  | {
      /** A NIC PUT that only adds owned ASG memberships, ahead of the NSG writes that reference them. */
      readonly kind: "joinApplicationSecurityGroups";
      readonly nic: NetworkInterface;
      readonly workload: string;
      readonly added: readonly string[];
    }
  | {
      readonly kind: "putNetworkSecurityGroup";
      readonly resourceGroup: string;
      readonly name: string;
      readonly location: string;
      readonly identity: string;
      readonly flushConnection: boolean;
      readonly securityRules: readonly SecurityRule[];
      /** The etag read, when the NSG exists. */
      readonly ifMatch?: string;
      readonly change: {
        readonly created: boolean;
        readonly added: number;
        readonly removed: number;
        readonly changed: number;
        /** Set when the write turns flushConnection on or off (an existing NSG whose rules may match). */
        readonly flushConnection?: boolean;
      };
    }
  | {
      readonly kind: "putNetworkInterface";
      /** The NIC as it must be after the write. */
      readonly nic: NetworkInterface;
      readonly workload: string;
      readonly before: {
        readonly networkSecurityGroup?: string;
        readonly applicationSecurityGroups: readonly string[];
      };
    }
  | {
      readonly kind: "deleteNetworkSecurityGroup";
      readonly resourceGroup: string;
      readonly name: string;
      readonly id: string;
    }
  | {
      readonly kind: "deleteApplicationSecurityGroup";
      readonly resourceGroup: string;
      readonly name: string;
      readonly id: string;
    }
);

export const AZURE_OPERATION_ORDER: readonly AzureOperation["kind"][] = [
  "putApplicationSecurityGroup",
  "joinApplicationSecurityGroups",
  "putNetworkSecurityGroup",
  "putNetworkInterface",
  "deleteNetworkSecurityGroup",
  "deleteApplicationSecurityGroup",
];
