import type {
  VirtualMachineInstanceView as SdkInstanceView,
  VirtualMachine as SdkVirtualMachine,
} from "@azure/arm-compute";
import { ComputeManagementClient } from "@azure/arm-compute";
import type {
  ApplicationSecurityGroup as SdkApplicationSecurityGroup,
  NetworkInterface as SdkNetworkInterface,
  NetworkSecurityGroup as SdkNetworkSecurityGroup,
  PublicIPAddress as SdkPublicIPAddress,
  VirtualNetwork as SdkVirtualNetwork,
} from "@azure/arm-network";
import { NetworkManagementClient } from "@azure/arm-network";
import type { Pipeline, PipelineOptions } from "@azure/core-rest-pipeline";
import type { TokenCredential } from "@azure/identity";
import { addSegsyncPolicies, type RetryWithoutRetryAfterOptions } from "./pipeline.js";

/** The options segsync passes to the SDK's calls (a subset of each SDK's own option types). */
export interface CallOptions {
  /** Long-running operations: the polling interval (the SDK's default is 2 s, or Retry-After). */
  updateIntervalInMs?: number;
  requestOptions?: { customHeaders?: Record<string, string> };
  /** Every raw response of the call, the polls of a long-running operation included. */
  onResponse?: (rawResponse: { readonly status: number; readonly parsedBody?: unknown }) => void;
}

/**
 * The calls segsync makes, as the SDK clients declare them: NetworkManagementClient and
 * ComputeManagementClient satisfy these, and unit tests implement them with typed fakes.
 */
export interface NetworkClient {
  readonly networkInterfaces: {
    listAll(): AsyncIterable<SdkNetworkInterface>;
    get(resourceGroup: string, name: string): Promise<SdkNetworkInterface>;
    beginCreateOrUpdateAndWait(
      resourceGroup: string,
      name: string,
      parameters: SdkNetworkInterface,
      options?: CallOptions,
    ): Promise<SdkNetworkInterface>;
  };
  readonly publicIPAddresses: {
    listAll(): AsyncIterable<SdkPublicIPAddress>;
    get(resourceGroup: string, name: string): Promise<SdkPublicIPAddress>;
  };
  readonly virtualNetworks: {
    listAll(): AsyncIterable<SdkVirtualNetwork>;
  };
  readonly networkSecurityGroups: {
    listAll(): AsyncIterable<SdkNetworkSecurityGroup>;
    get(resourceGroup: string, name: string): Promise<SdkNetworkSecurityGroup>;
    beginCreateOrUpdateAndWait(
      resourceGroup: string,
      name: string,
      parameters: SdkNetworkSecurityGroup,
      options?: CallOptions,
    ): Promise<SdkNetworkSecurityGroup>;
    beginDeleteAndWait(resourceGroup: string, name: string, options?: CallOptions): Promise<void>;
  };
  readonly applicationSecurityGroups: {
    listAll(): AsyncIterable<SdkApplicationSecurityGroup>;
    get(resourceGroup: string, name: string): Promise<SdkApplicationSecurityGroup>;
    beginCreateOrUpdateAndWait(
      resourceGroup: string,
      name: string,
      parameters: SdkApplicationSecurityGroup,
      options?: CallOptions,
    ): Promise<SdkApplicationSecurityGroup>;
    beginDeleteAndWait(resourceGroup: string, name: string, options?: CallOptions): Promise<void>;
  };
}

export interface ComputeClient {
  readonly virtualMachines: {
    listAll(options?: { statusOnly?: string }): AsyncIterable<SdkVirtualMachine>;
    get(
      resourceGroup: string,
      name: string,
      options?: { expand?: "instanceView" },
    ): Promise<SdkVirtualMachine>;
    instanceView(resourceGroup: string, name: string): Promise<SdkInstanceView>;
  };
}

export interface AzureClients {
  readonly network: NetworkClient;
  readonly compute: ComputeClient;
}

export interface AzureClientSettings {
  readonly credential: TokenCredential;
  /** ARM's endpoint (sovereign clouds, local fakes); the token scope follows it. */
  readonly endpoint?: string;
  readonly clientOptions?: PipelineOptions;
  readonly retry: RetryWithoutRetryAfterOptions;
  /** Last word on each client's pipeline (tests: replace the bearer policy to reach a local http fake). */
  readonly pipelineHook?: (pipeline: Pipeline) => void;
}

/** One NetworkManagementClient and one ComputeManagementClient for a subscription. */
export function createAzureClients(subscription: string, settings: AzureClientSettings): AzureClients {
  const endpoint = settings.endpoint?.replace(/\/+$/, "");
  const scope = `${endpoint ?? "https://management.azure.com"}/.default`;
  const common = {
    ...settings.clientOptions,
    retryOptions: { maxRetries: settings.retry.maxRetries, ...settings.clientOptions?.retryOptions },
  };
  const network = new NetworkManagementClient(settings.credential, subscription, {
    ...common,
    ...(endpoint === undefined ? {} : { endpoint, credentialScopes: scope }),
  });
  const compute = new ComputeManagementClient(settings.credential, subscription, {
    ...common,
    ...(endpoint === undefined ? {} : { endpoint, credentials: { scopes: [scope] } }),
  });
  for (const pipeline of [network.pipeline, compute.pipeline]) {
    addSegsyncPolicies(pipeline, settings.retry);
    settings.pipelineHook?.(pipeline);
  }
  return { network, compute };
}
