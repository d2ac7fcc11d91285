import type { InstanceViewStatus as SdkInstanceViewStatus } from "@azure/arm-compute";
import type { Pipeline, PipelineOptions } from "@azure/core-rest-pipeline";
import type { TokenCredential } from "@azure/identity";
import { onePerPlace } from "../../common/per-place.js";
import { UnreadableObjects } from "../../common/unreadable.js";
import type { CloudFinding } from "../../provider.js";
import type { AzureApi, AzureApiFactory } from "../api.js";
import type {
  ApplicationSecurityGroup,
  NetworkInterface,
  NetworkSecurityGroup,
  PublicIPAddress,
  VirtualMachine,
  VirtualNetwork,
} from "../model.js";
import { type AzureClients, type CallOptions, createAzureClients } from "./clients.js";
import { isNotFound, type OperationFailure, toAzureError } from "./errors.js";
import { KeyedSerializer } from "./serial.js";
import {
  toApplicationSecurityGroup,
  toNetworkInterface,
  toNetworkSecurityGroup,
  toPublicIPAddress,
  toSdkSecurityRule,
  toVirtualMachine,
  toVirtualNetwork,
  withSegsyncChanges,
} from "./shapes.js";

export interface SdkAzureApiOptions {
  readonly credential: TokenCredential;
  /** ARM's endpoint; default https://management.azure.com. */
  readonly endpoint?: string;
  /** Retries per request: throttling (429 with Retry-After, honoured), 429 without it, 5xx. Default 3. */
  readonly maxRetries?: number;
  /** First backoff for a 429 that names no Retry-After; doubled per retry up to 30 s. Default 1 s. */
  readonly retryDelayMs?: number;
  /** Polling interval of long-running operations; default: the SDK's (Retry-After, else 2 s). */
  readonly pollIntervalMs?: number;
  /** Passed to both SDK clients (retryOptions, proxy, TLS, user agent, logging…). */
  readonly clientOptions?: PipelineOptions;
  /** Called with each client's pipeline once segsync's policies are in (tests: local http endpoint). */
  readonly pipelineHook?: (pipeline: Pipeline) => void;
}

export interface SdkAzureApiSettings {
  readonly pollIntervalMs?: number;
}

const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_RETRY_DELAY_MS = 1_000;
const MAX_RETRY_DELAY_MS = 30_000;

/** One SdkAzureApi per subscription, with its own network and compute clients, cached. */
export function createSdkAzureApiFactory(options: SdkAzureApiOptions): AzureApiFactory {
  const settings: SdkAzureApiSettings =
    options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs };
  return onePerPlace(
    (subscription) => subscription,
    (subscription) => {
      const clients = createAzureClients(subscription, {
        credential: options.credential,
        endpoint: options.endpoint,
        clientOptions: options.clientOptions,
        pipelineHook: options.pipelineHook,
        retry: {
          maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
          retryDelayMs: options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS,
          maxRetryDelayMs: MAX_RETRY_DELAY_MS,
        },
      });
      return new SdkAzureApi(subscription, clients, settings);
    },
  );
}

/** AzureApi over @azure/arm-network and @azure/arm-compute for one subscription. */
export class SdkAzureApi implements AzureApi {
  /** Objects left out of a read because segsync cannot model them. */
  private readonly unreadable = new UnreadableObjects("azure-unreadable-object");

  takeUnreadable(): CloudFinding[] {
    return this.unreadable.take();
  }

  /**
   * Writes to one NSG, one at a time (concurrent writes conflict: docs/clouds.md,
   * "Azure NSG updates").
   */
  private readonly nsgWrites = new KeyedSerializer();

  constructor(
    readonly subscription: string,
    readonly clients: AzureClients,
    private readonly settings: SdkAzureApiSettings = {},
  ) {}

  /**
   * Two listings whatever the number of VMs: the models (tags, NICs), and `statusOnly=true`, which
   * returns the instance views of all VMs but not their models (tags and NICs come back empty:
   * Azure/azure-sdk-for-go#18565; `az vm list -d` reads one VM at a time). A VM created between the
   * two has no status yet: its instance view is read on its own (a VM deleted meanwhile is left out).
   */
  async listVirtualMachines(): Promise<VirtualMachine[]> {
    const vms = this.clients.compute.virtualMachines;
    const [models, statusViews] = await Promise.all([
      this.collect("VirtualMachines_ListAll", () => vms.listAll()),
      this.collect("VirtualMachines_ListAll(statusOnly)", () => vms.listAll({ statusOnly: "true" })),
    ]);
    const statuses = new Map<string, SdkInstanceViewStatus[] | undefined>();
    for (const view of statusViews) {
      if (view.id !== undefined) statuses.set(view.id.toLowerCase(), view.instanceView?.statuses);
    }
    const result: VirtualMachine[] = [];
    const modelled = this.unreadable.modelEach(
      models,
      (model) => ({ model, vm: toVirtualMachine(model, undefined) }),
      (model) => describe("virtual machine", model),
    );
    for (const { model, vm } of modelled) {
      const key = vm.id.toLowerCase();
      if (statuses.has(key)) {
        result.push(toVirtualMachine(model, statuses.get(key)));
        continue;
      }
      const view = await this.getOrUndefined("VirtualMachines_InstanceView", () =>
        vms.instanceView(vm.resourceGroup, vm.name),
      );
      if (view !== undefined) result.push(toVirtualMachine(model, view.statuses));
    }
    return result;
  }

  async getVirtualMachine(resourceGroup: string, name: string): Promise<VirtualMachine | undefined> {
    const vm = await this.getOrUndefined("VirtualMachines_Get", () =>
      this.clients.compute.virtualMachines.get(resourceGroup, name, { expand: "instanceView" }),
    );
    return vm === undefined ? undefined : toVirtualMachine(vm, vm.instanceView?.statuses);
  }

  async listNetworkInterfaces(): Promise<NetworkInterface[]> {
    const nics = await this.collect("NetworkInterfaces_ListAll", () =>
      this.clients.network.networkInterfaces.listAll(),
    );
    return this.unreadable.modelEach(nics, toNetworkInterface, (nic) => describe("network interface", nic));
  }

  async getNetworkInterface(resourceGroup: string, name: string): Promise<NetworkInterface | undefined> {
    const nic = await this.getOrUndefined("NetworkInterfaces_Get", () =>
      this.clients.network.networkInterfaces.get(resourceGroup, name),
    );
    return nic === undefined ? undefined : toNetworkInterface(nic);
  }

  async listPublicIPAddresses(): Promise<PublicIPAddress[]> {
    const addresses = await this.collect("PublicIPAddresses_ListAll", () =>
      this.clients.network.publicIPAddresses.listAll(),
    );
    return this.unreadable.modelEach(addresses, toPublicIPAddress, (address) =>
      describe("public IP address", address),
    );
  }

  async getPublicIPAddress(resourceGroup: string, name: string): Promise<PublicIPAddress | undefined> {
    const address = await this.getOrUndefined("PublicIPAddresses_Get", () =>
      this.clients.network.publicIPAddresses.get(resourceGroup, name),
    );
    return address === undefined ? undefined : toPublicIPAddress(address);
  }

  async listNetworkSecurityGroups(): Promise<NetworkSecurityGroup[]> {
    const nsgs = await this.collect("NetworkSecurityGroups_ListAll", () =>
      this.clients.network.networkSecurityGroups.listAll(),
    );
    return this.unreadable.modelEach(nsgs, toNetworkSecurityGroup, (nsg) =>
      describe("network security group", nsg),
    );
  }

  async getNetworkSecurityGroup(
    resourceGroup: string,
    name: string,
  ): Promise<NetworkSecurityGroup | undefined> {
    const nsg = await this.getOrUndefined("NetworkSecurityGroups_Get", () =>
      this.clients.network.networkSecurityGroups.get(resourceGroup, name),
    );
    return nsg === undefined ? undefined : toNetworkSecurityGroup(nsg);
  }

  async listApplicationSecurityGroups(): Promise<ApplicationSecurityGroup[]> {
    const asgs = await this.collect("ApplicationSecurityGroups_ListAll", () =>
      this.clients.network.applicationSecurityGroups.listAll(),
    );
    return this.unreadable.modelEach(asgs, toApplicationSecurityGroup, (asg) =>
      describe("application security group", asg),
    );
  }

  async getApplicationSecurityGroup(
    resourceGroup: string,
    name: string,
  ): Promise<ApplicationSecurityGroup | undefined> {
    const asg = await this.getOrUndefined("ApplicationSecurityGroups_Get", () =>
      this.clients.network.applicationSecurityGroups.get(resourceGroup, name),
    );
    return asg === undefined ? undefined : toApplicationSecurityGroup(asg);
  }

  async listVirtualNetworks(): Promise<VirtualNetwork[]> {
    const vnets = await this.collect("VirtualNetworks_ListAll", () =>
      this.clients.network.virtualNetworks.listAll(),
    );
    return this.unreadable.modelEach(vnets, toVirtualNetwork, (vnet) => describe("virtual network", vnet));
  }

  putNetworkSecurityGroup(
    input: Parameters<AzureApi["putNetworkSecurityGroup"]>[0],
  ): Promise<NetworkSecurityGroup> {
    return this.nsgWrites.run(nsgKey(input.resourceGroup, input.name), async () => {
      const parameters = {
        location: input.location,
        tags: { ...input.tags },
        // Always sent: a PUT without it turns it off on an NSG that had it.
        flushConnection: input.flushConnection ?? false,
        securityRules: input.securityRules.map(toSdkSecurityRule),
      };
      const written = await this.longRunning(
        "NetworkSecurityGroups_CreateOrUpdate",
        input.ifMatch,
        (options) =>
          this.clients.network.networkSecurityGroups.beginCreateOrUpdateAndWait(
            input.resourceGroup,
            input.name,
            parameters,
            options,
          ),
      );
      return toNetworkSecurityGroup(written);
    });
  }

  deleteNetworkSecurityGroup(resourceGroup: string, name: string): Promise<void> {
    return this.nsgWrites.run(nsgKey(resourceGroup, name), () =>
      this.longRunning("NetworkSecurityGroups_Delete", undefined, (options) =>
        this.clients.network.networkSecurityGroups.beginDeleteAndWait(resourceGroup, name, options),
      ),
    );
  }

  async putApplicationSecurityGroup(
    input: Parameters<AzureApi["putApplicationSecurityGroup"]>[0],
  ): Promise<ApplicationSecurityGroup> {
    const written = await this.longRunning("ApplicationSecurityGroups_CreateOrUpdate", undefined, (options) =>
      this.clients.network.applicationSecurityGroups.beginCreateOrUpdateAndWait(
        input.resourceGroup,
        input.name,
        { location: input.location, tags: { ...input.tags } },
        options,
      ),
    );
    return toApplicationSecurityGroup(written);
  }

  async deleteApplicationSecurityGroup(resourceGroup: string, name: string): Promise<void> {
    await this.longRunning("ApplicationSecurityGroups_Delete", undefined, (options) =>
      this.clients.network.applicationSecurityGroups.beginDeleteAndWait(resourceGroup, name, options),
    );
  }

  /**
   * Read-modify-write: the model holds a subset of the NIC, and a PUT drops what it leaves out, so
   * the NIC is read afresh and sent back whole with segsync's changes. The If-Match is the etag
   * the caller read (else the fresh one): a NIC changed since fails with AzureConflictError.
   */
  async putNetworkInterface(nic: NetworkInterface, ifMatch?: string): Promise<NetworkInterface> {
    const nics = this.clients.network.networkInterfaces;
    const current = await this.call("NetworkInterfaces_Get", () => nics.get(nic.resourceGroup, nic.name));
    const written = await this.longRunning(
      "NetworkInterfaces_CreateOrUpdate",
      ifMatch ?? current.etag,
      (options) =>
        nics.beginCreateOrUpdateAndWait(
          nic.resourceGroup,
          nic.name,
          withSegsyncChanges(current, nic),
          options,
        ),
    );
    return toNetworkInterface(written);
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw toAzureError(error, operation);
    }
  }

  private async getOrUndefined<T>(operation: string, send: () => Promise<T>): Promise<T | undefined> {
    try {
      return await send();
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw toAzureError(error, operation);
    }
  }

  /** Every page: the SDK's iterators follow nextLink. */
  private collect<T>(operation: string, list: () => AsyncIterable<T>): Promise<T[]> {
    return this.call(operation, async () => {
      const all: T[] = [];
      for await (const item of list()) all.push(item);
      return all;
    });
  }

  /**
   * A PUT or DELETE awaited to its end. The SDK reports a Failed or Canceled operation as a bare
   * Error; the last poll's body says which ARM error it was.
   */
  private async longRunning<T>(
    operation: string,
    ifMatch: string | undefined,
    send: (options: CallOptions) => Promise<T>,
  ): Promise<T> {
    let failure: OperationFailure | undefined;
    const options: CallOptions = {
      ...(this.settings.pollIntervalMs === undefined
        ? {}
        : { updateIntervalInMs: this.settings.pollIntervalMs }),
      ...(ifMatch === undefined ? {} : { requestOptions: { customHeaders: { "If-Match": ifMatch } } }),
      onResponse: (response) => {
        failure = operationFailure(response.parsedBody) ?? failure;
      },
    };
    try {
      return await send(options);
    } catch (error) {
      throw toAzureError(error, operation, failure);
    }
  }
}

/** An object ARM listed, as a finding names it: its id when it has one. */
function describe(what: string, resource: { readonly id?: string; readonly name?: string }): string {
  return resource.id ?? `${what} ${resource.name ?? "(no id, no name)"}`;
}

function nsgKey(resourceGroup: string, name: string): string {
  return `${resourceGroup}/${name}`.toLowerCase();
}

/** `{ status: "Failed" | "Canceled", error: { code, message } }`, as an Azure-AsyncOperation poll answers. */
function operationFailure(body: unknown): OperationFailure | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { status, error } = body as { status?: unknown; error?: { code?: unknown; message?: unknown } };
  if (typeof status !== "string" || !/^(failed|canceled|cancelled)$/i.test(status)) return undefined;
  return {
    status,
    ...(typeof error?.code === "string" ? { code: error.code } : {}),
    ...(typeof error?.message === "string" ? { message: error.message } : {}),
  };
}
