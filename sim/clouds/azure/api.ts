/**
 * SimulatedArm: ARM in memory for one subscription, with the semantics segsync depends on (ARM
 * ids, the six default NSG rules, priorities unique per direction, the quotas of config.ts, ASGs
 * bound to one VNet, references that must resolve in the same region, in-use deletes refused,
 * etags and If-Match, throttling and 5xx on demand). It backs the CLI demo, the scenario tests and the
 * oracle checks; its state() is one subscription of the `azure` part of `simulate --state-out`.
 *
 * Unlike the SDK adapter (sdk/api.ts) it never retries: an injected 429 surfaces at once as AzureThrottledError,
 * and an injected 500 or 503 as AzureApiError, as if ARM had kept failing beyond the client's retries.
 */
import type { AzureApi } from "../../../lib/clouds/azure/api.js";
import { type AzureQuotas, DEFAULT_AZURE_QUOTAS } from "../../../lib/clouds/azure/config.js";
import { AzureApiError } from "../../../lib/clouds/azure/errors.js";
import type {
  ApplicationSecurityGroup,
  AzureSubscriptionState,
  NetworkInterface,
  NetworkSecurityGroup,
  PublicIPAddress,
  VirtualMachine,
  VirtualNetwork,
} from "../../../lib/clouds/azure/model.js";
import type { CloudFinding } from "../../../lib/clouds/provider.js";
import {
  CallLog,
  type ServerErrorOptions,
  type SimulatedCall,
  type ThrottleOptions,
} from "../common/call-log.js";
import { fail } from "./failures.js";
import { putNetworkInterface } from "./interfaces.js";
import { checkSubscriptionId, loadSubscriptionState } from "./load.js";
import {
  type AddNetworkInterfaceInput,
  addNetworkInterface,
  type CreatedVm,
  type CreateVmInput,
  createVm,
  deleteVm,
  type SimPowerState,
  setPowerState,
  setVmTags,
} from "./machines.js";
import {
  type CreateNetworkSecurityGroupInput,
  type CreateVirtualNetworkInput,
  createNetworkSecurityGroup,
  createVirtualNetwork,
} from "./networks.js";
import {
  deleteApplicationSecurityGroup,
  deleteNetworkSecurityGroup,
  putApplicationSecurityGroup,
  putNetworkSecurityGroup,
} from "./security-groups.js";
import { ArmStore, key, type SimVirtualNetwork, sortById } from "./store.js";

export { SimulationInputError } from "./failures.js";
export type { AddNetworkInterfaceInput, CreatedVm, CreateVmInput, SimPowerState } from "./machines.js";
export type { CreateNetworkSecurityGroupInput, CreateVirtualNetworkInput } from "./networks.js";
export { DEFAULT_SECURITY_RULES } from "./rules.js";
export type { SimVirtualNetwork } from "./store.js";

export type AzureApiMethod = Exclude<keyof AzureApi, "subscription">;

/** The calls that change ARM, for tests that count writes. */
export const AZURE_WRITE_METHODS: ReadonlySet<AzureApiMethod> = new Set<AzureApiMethod>([
  "putNetworkSecurityGroup",
  "deleteNetworkSecurityGroup",
  "putApplicationSecurityGroup",
  "deleteApplicationSecurityGroup",
  "putNetworkInterface",
]);

export type AzureThrottleOptions = ThrottleOptions;
export type AzureServerErrorOptions = ServerErrorOptions;

export interface SimulatedArmOptions {
  readonly quotas?: AzureQuotas;
  readonly throttle?: AzureThrottleOptions;
  readonly serverErrors?: AzureServerErrorOptions;
}

export type SimulatedArmCall = SimulatedCall<AzureApiMethod>;

export class SimulatedArm implements AzureApi {
  readonly subscription: string;
  private readonly store: ArmStore;

  /** The simulator models every object it holds: it never leaves one out. */
  takeUnreadable(): CloudFinding[] {
    return [];
  }
  private readonly log: CallLog<AzureApiMethod>;

  constructor(initial: AzureSubscriptionState, options: SimulatedArmOptions = {}) {
    checkSubscriptionId(initial.subscription);
    this.subscription = initial.subscription;
    this.store = new ArmStore(initial.subscription, options.quotas ?? DEFAULT_AZURE_QUOTAS);
    loadSubscriptionState(this.store, initial);
    this.log = new CallLog<AzureApiMethod>(
      {
        throttled: fail.throttled,
        serverError: fail.serverError,
        writes: AZURE_WRITE_METHODS,
        codeOf: (error) => (error instanceof AzureApiError ? error.code : undefined),
      },
      options.throttle,
      options.serverErrors,
    );
  }

  /** A subscription with nothing in it yet. */
  static empty(subscription: string, options: SimulatedArmOptions = {}): SimulatedArm {
    return new SimulatedArm(
      {
        subscription,
        virtualMachines: [],
        networkInterfaces: [],
        networkSecurityGroups: [],
        applicationSecurityGroups: [],
        publicIPAddresses: [],
      },
      options,
    );
  }

  /** Every AzureApi call so far, oldest first. */
  get calls(): readonly SimulatedArmCall[] {
    return this.log.calls;
  }

  clearCalls(): void {
    this.log.clear();
  }

  /** Starts, changes or (undefined) stops throttling; a new seed restarts the sequence. */
  setThrottle(throttle: AzureThrottleOptions | undefined): void {
    this.log.setThrottle(throttle);
  }

  /**
   * Starts, changes or (undefined) stops 5xx (InternalServerError 500, ServiceUnavailable 503):
   * before the call takes effect, or, for a share of the writes, after it did, the response lost.
   */
  setServerErrors(serverErrors: AzureServerErrorOptions | undefined): void {
    this.log.setServerErrors(serverErrors);
  }

  /** Everything in the subscription as `az … show` prints it, each list sorted by id: a deep copy. */
  state(): AzureSubscriptionState {
    return this.store.state();
  }

  /** The VNets, which AzureApi does not read, sorted by id. */
  virtualNetworks(): SimVirtualNetwork[] {
    return structuredClone(sortById([...this.store.virtualNetworks.values()]));
  }

  // Simulation controls: what happens outside segsync. Not AzureApi calls: neither logged nor failed on demand.

  createVirtualNetwork(input: CreateVirtualNetworkInput): SimVirtualNetwork {
    return structuredClone(createVirtualNetwork(this.store, input));
  }

  /** A running VM with its primary NIC, and a public IP resource when `publicIp` is given. */
  createVm(input: CreateVmInput): CreatedVm {
    return createVm(this.store, input);
  }

  /** A secondary NIC in the VM's VNet. */
  addNetworkInterface(
    resourceGroup: string,
    vmName: string,
    input: AddNetworkInterfaceInput,
  ): { networkInterfaceId: string } {
    return addNetworkInterface(this.store, resourceGroup, vmName, input);
  }

  /** Deallocation clears the VM's public IP addresses unless `keepPublicIp`; `publicIp` gives one back when it runs. */
  setPowerState(
    resourceGroup: string,
    name: string,
    state: SimPowerState,
    options: { readonly keepPublicIp?: boolean; readonly publicIp?: string } = {},
  ): void {
    setPowerState(this.store, resourceGroup, name, state, options);
  }

  /** Deletes the VM, its NICs and their public IP resources. */
  deleteVm(resourceGroup: string, name: string): void {
    deleteVm(this.store, resourceGroup, name);
  }

  /** The complete new tag map. */
  setVmTags(resourceGroup: string, name: string, tags: Readonly<Record<string, string>>): void {
    setVmTags(this.store, resourceGroup, name, tags);
  }

  /** A customer NSG (no ownership tag unless given), checked as an NSG PUT is. */
  createNetworkSecurityGroup(input: CreateNetworkSecurityGroupInput): NetworkSecurityGroup {
    return createNetworkSecurityGroup(this.store, input);
  }

  // AzureApi

  listVirtualMachines(): Promise<VirtualMachine[]> {
    return this.log.run("listVirtualMachines", [], () =>
      structuredClone(sortById([...this.store.virtualMachines.values()])),
    );
  }

  getVirtualMachine(resourceGroup: string, name: string): Promise<VirtualMachine | undefined> {
    return this.log.run("getVirtualMachine", [resourceGroup, name], () =>
      structuredClone(this.store.virtualMachine(resourceGroup, name)),
    );
  }

  listNetworkInterfaces(): Promise<NetworkInterface[]> {
    return this.log.run("listNetworkInterfaces", [], () =>
      structuredClone(sortById([...this.store.networkInterfaces.values()])),
    );
  }

  getNetworkInterface(resourceGroup: string, name: string): Promise<NetworkInterface | undefined> {
    return this.log.run("getNetworkInterface", [resourceGroup, name], () => {
      const id = this.store.networkResourceId("networkInterfaces", resourceGroup, name);
      return structuredClone(this.store.networkInterfaces.get(key(id)));
    });
  }

  listPublicIPAddresses(): Promise<PublicIPAddress[]> {
    return this.log.run("listPublicIPAddresses", [], () =>
      structuredClone(sortById([...this.store.publicIPAddresses.values()])),
    );
  }

  getPublicIPAddress(resourceGroup: string, name: string): Promise<PublicIPAddress | undefined> {
    return this.log.run("getPublicIPAddress", [resourceGroup, name], () => {
      const id = this.store.networkResourceId("publicIPAddresses", resourceGroup, name);
      return structuredClone(this.store.publicIPAddresses.get(key(id)));
    });
  }

  listNetworkSecurityGroups(): Promise<NetworkSecurityGroup[]> {
    return this.log.run("listNetworkSecurityGroups", [], () =>
      sortById([...this.store.networkSecurityGroups.values()]).map((nsg) => this.store.nsgView(nsg)),
    );
  }

  getNetworkSecurityGroup(resourceGroup: string, name: string): Promise<NetworkSecurityGroup | undefined> {
    return this.log.run("getNetworkSecurityGroup", [resourceGroup, name], () => {
      const id = this.store.networkResourceId("networkSecurityGroups", resourceGroup, name);
      const nsg = this.store.networkSecurityGroups.get(key(id));
      return nsg === undefined ? undefined : this.store.nsgView(nsg);
    });
  }

  listApplicationSecurityGroups(): Promise<ApplicationSecurityGroup[]> {
    return this.log.run("listApplicationSecurityGroups", [], () =>
      structuredClone(sortById([...this.store.applicationSecurityGroups.values()])),
    );
  }

  getApplicationSecurityGroup(
    resourceGroup: string,
    name: string,
  ): Promise<ApplicationSecurityGroup | undefined> {
    return this.log.run("getApplicationSecurityGroup", [resourceGroup, name], () => {
      const id = this.store.networkResourceId("applicationSecurityGroups", resourceGroup, name);
      return structuredClone(this.store.applicationSecurityGroups.get(key(id)));
    });
  }

  listVirtualNetworks(): Promise<VirtualNetwork[]> {
    return this.log.run("listVirtualNetworks", [], () =>
      sortById([...this.store.virtualNetworks.values()]).map(
        ({ addressPrefix, ...vnet }): VirtualNetwork => ({
          ...vnet,
          addressPrefixes: addressPrefix === undefined ? [] : [addressPrefix],
        }),
      ),
    );
  }

  putNetworkSecurityGroup(
    input: Parameters<AzureApi["putNetworkSecurityGroup"]>[0],
  ): Promise<NetworkSecurityGroup> {
    return this.log.run("putNetworkSecurityGroup", [input], () => putNetworkSecurityGroup(this.store, input));
  }

  deleteNetworkSecurityGroup(resourceGroup: string, name: string): Promise<void> {
    return this.log.run("deleteNetworkSecurityGroup", [resourceGroup, name], () =>
      deleteNetworkSecurityGroup(this.store, resourceGroup, name),
    );
  }

  putApplicationSecurityGroup(input: {
    readonly resourceGroup: string;
    readonly name: string;
    readonly location: string;
    readonly tags: Readonly<Record<string, string>>;
  }): Promise<ApplicationSecurityGroup> {
    return this.log.run("putApplicationSecurityGroup", [input], () =>
      putApplicationSecurityGroup(this.store, input),
    );
  }

  deleteApplicationSecurityGroup(resourceGroup: string, name: string): Promise<void> {
    return this.log.run("deleteApplicationSecurityGroup", [resourceGroup, name], () =>
      deleteApplicationSecurityGroup(this.store, resourceGroup, name),
    );
  }

  putNetworkInterface(nic: NetworkInterface, ifMatch?: string): Promise<NetworkInterface> {
    return this.log.run("putNetworkInterface", ifMatch === undefined ? [nic] : [nic, ifMatch], () =>
      putNetworkInterface(this.store, nic, ifMatch),
    );
  }
}
