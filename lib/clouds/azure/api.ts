import type { CloudFinding } from "../provider.js";
import type {
  ApplicationSecurityGroup,
  NetworkInterface,
  NetworkSecurityGroup,
  PublicIPAddress,
  VirtualMachine,
  VirtualNetwork,
} from "./model.js";

/**
 * The narrow port of the ARM calls segsync needs, for one subscription. Implemented by
 * sdk/api.ts (@azure/arm-network, @azure/arm-compute) and the simulator's sim/clouds/azure/api.ts
 * (in memory, Azure's semantics); test/contract/azure-api.contract.ts holds both to this contract:
 * - list* calls page through every result; get* calls ignore the casing of group and name and
 *   answer undefined for what is not there;
 * - put* calls send the whole resource (ARM PUT), await the long-running operation and return the
 *   resource as ARM then reads it back (with its new etag); a 429 is retried after its
 *   Retry-After (also RetryableErrorDueToAnotherOperation); a 412 on a stale etag surfaces as
 *   AzureConflictError, for the caller to re-read and retry; a conditional PUT never creates;
 * - putNetworkInterface replaces a NIC that exists: one gone since it was read is AzureNotFoundError;
 * - deleting what is not there is no error; deleting what is in use is AzureInUseError;
 * - writes to one NSG are serialized;
 * - every other failure is one of the errors of errors.ts, with the ARM error as its cause.
 */
export interface AzureApi {
  readonly subscription: string;

  /** The objects the last reads left out because segsync cannot model them (findings about each); forgets them. */
  takeUnreadable(): CloudFinding[];

  /** Every VM of the subscription with its power state (instance view). */
  listVirtualMachines(): Promise<VirtualMachine[]>;
  getVirtualMachine(resourceGroup: string, name: string): Promise<VirtualMachine | undefined>;
  listNetworkInterfaces(): Promise<NetworkInterface[]>;
  getNetworkInterface(resourceGroup: string, name: string): Promise<NetworkInterface | undefined>;
  listPublicIPAddresses(): Promise<PublicIPAddress[]>;
  /** One public IP resource, for a NIC an event re-reads (docs/architecture.md, "Targeted reads (Azure)"). */
  getPublicIPAddress(resourceGroup: string, name: string): Promise<PublicIPAddress | undefined>;
  listNetworkSecurityGroups(): Promise<NetworkSecurityGroup[]>;
  getNetworkSecurityGroup(resourceGroup: string, name: string): Promise<NetworkSecurityGroup | undefined>;
  listApplicationSecurityGroups(): Promise<ApplicationSecurityGroup[]>;
  /** One ASG by name: a change reads its owned ASGs so (docs/architecture.md, "Targeted reads (Azure)"). */
  getApplicationSecurityGroup(
    resourceGroup: string,
    name: string,
  ): Promise<ApplicationSecurityGroup | undefined>;
  /** Only `estate export` reads VNets: their address spaces and regions are the estate's networks. */
  listVirtualNetworks(): Promise<VirtualNetwork[]>;

  /** Create or replace an NSG with exactly these rules and tags (ifMatch: the etag read, when updating). */
  putNetworkSecurityGroup(input: {
    readonly resourceGroup: string;
    readonly name: string;
    readonly location: string;
    readonly tags: Readonly<Record<string, string>>;
    /** Re-evaluate open flows on rule changes (ARM's flushConnection); false when absent. */
    readonly flushConnection?: boolean;
    readonly securityRules: NetworkSecurityGroup["securityRules"];
    readonly ifMatch?: string;
  }): Promise<NetworkSecurityGroup>;
  deleteNetworkSecurityGroup(resourceGroup: string, name: string): Promise<void>;
  putApplicationSecurityGroup(input: {
    readonly resourceGroup: string;
    readonly name: string;
    readonly location: string;
    readonly tags: Readonly<Record<string, string>>;
  }): Promise<ApplicationSecurityGroup>;
  deleteApplicationSecurityGroup(resourceGroup: string, name: string): Promise<void>;
  /** Replace a NIC as read, with a new NSG association, ASG memberships and tags (ifMatch: its etag). */
  putNetworkInterface(nic: NetworkInterface, ifMatch?: string): Promise<NetworkInterface>;
}

export type AzureApiFactory = (subscription: string) => AzureApi;
