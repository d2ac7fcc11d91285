import type { VirtualMachine as SdkVirtualMachine } from "@azure/arm-compute";
import type {
  NetworkInterface as SdkNetworkInterface,
  NetworkSecurityGroup as SdkNetworkSecurityGroup,
} from "@azure/arm-network";
import { RestError } from "@azure/core-rest-pipeline";
import { SdkAzureApi } from "../../../../lib/clouds/azure/sdk/api.js";
import type { AzureClients, ComputeClient, NetworkClient } from "../../../../lib/clouds/azure/sdk/clients.js";
import { LOCATION, networkId, SUBNET_ID, SUBSCRIPTION, vmId } from "./api-wire.js";

/** Typed fakes of the SDK clients, at the boundary SdkAzureApi calls (sdk-clients.ts). */

export interface FakeParts {
  readonly networkInterfaces?: Partial<NetworkClient["networkInterfaces"]>;
  readonly publicIPAddresses?: Partial<NetworkClient["publicIPAddresses"]>;
  readonly networkSecurityGroups?: Partial<NetworkClient["networkSecurityGroups"]>;
  readonly applicationSecurityGroups?: Partial<NetworkClient["applicationSecurityGroups"]>;
  readonly virtualNetworks?: Partial<NetworkClient["virtualNetworks"]>;
  readonly virtualMachines?: Partial<ComputeClient["virtualMachines"]>;
}

function unexpected(name: string): () => never {
  return () => {
    throw new Error(`unexpected SDK call ${name}`);
  };
}

export function fakeClients(parts: FakeParts = {}): AzureClients {
  const calls = (group: string, names: readonly string[]) =>
    Object.fromEntries(names.map((name) => [name, unexpected(`${group}.${name}`)]));
  const network: NetworkClient = {
    networkInterfaces: {
      ...calls("networkInterfaces", ["listAll", "get", "beginCreateOrUpdateAndWait"]),
      ...parts.networkInterfaces,
    } as NetworkClient["networkInterfaces"],
    publicIPAddresses: {
      ...calls("publicIPAddresses", ["listAll", "get"]),
      ...parts.publicIPAddresses,
    } as NetworkClient["publicIPAddresses"],
    networkSecurityGroups: {
      ...calls("networkSecurityGroups", [
        "listAll",
        "get",
        "beginCreateOrUpdateAndWait",
        "beginDeleteAndWait",
      ]),
      ...parts.networkSecurityGroups,
    } as NetworkClient["networkSecurityGroups"],
    applicationSecurityGroups: {
      ...calls("applicationSecurityGroups", [
        "listAll",
        "get",
        "beginCreateOrUpdateAndWait",
        "beginDeleteAndWait",
      ]),
      ...parts.applicationSecurityGroups,
    } as NetworkClient["applicationSecurityGroups"],
    virtualNetworks: {
      ...calls("virtualNetworks", ["listAll"]),
      ...parts.virtualNetworks,
    } as NetworkClient["virtualNetworks"],
  };
  const compute: ComputeClient = {
    virtualMachines: {
      ...calls("virtualMachines", ["listAll", "get", "instanceView"]),
      ...parts.virtualMachines,
    } as ComputeClient["virtualMachines"],
  };
  return { network, compute };
}

export function fakeApi(parts: FakeParts = {}, pollIntervalMs?: number): SdkAzureApi {
  return new SdkAzureApi(
    SUBSCRIPTION,
    fakeClients(parts),
    pollIntervalMs === undefined ? {} : { pollIntervalMs },
  );
}

/** Items over several pages, as the SDK's iterators yield them (one awaited page after another). */
export function paged<T>(
  pages: readonly (readonly T[])[],
): AsyncIterable<T> & { readonly pagesRead: () => number } {
  let read = 0;
  return {
    pagesRead: () => read,
    async *[Symbol.asyncIterator]() {
      for (const page of pages) {
        read += 1;
        await Promise.resolve();
        yield* page;
      }
    },
  };
}

/** An ARM error as core-client throws it. */
export function armError(
  statusCode: number | undefined,
  code: string,
  message = `${code} (test)`,
): RestError {
  return new RestError(message, { statusCode, code });
}

export function sdkNsg(name: string, extra: Partial<SdkNetworkSecurityGroup> = {}): SdkNetworkSecurityGroup {
  return {
    id: networkId("networkSecurityGroups", name),
    name,
    location: LOCATION,
    etag: `W/"${name}-1"`,
    ...extra,
  };
}

export function sdkNic(name: string, extra: Partial<SdkNetworkInterface> = {}): SdkNetworkInterface {
  const id = networkId("networkInterfaces", name);
  return {
    id,
    name,
    location: LOCATION,
    etag: `W/"${name}-1"`,
    ipConfigurations: [
      {
        id: `${id}/ipConfigurations/ipconfig1`,
        name: "ipconfig1",
        primary: true,
        privateIPAddress: "10.0.0.4",
        privateIPAllocationMethod: "Static",
        subnet: { id: SUBNET_ID },
      },
    ],
    ...extra,
  };
}

export function sdkVm(name: string, extra: Partial<SdkVirtualMachine> = {}): SdkVirtualMachine {
  return {
    id: vmId(name),
    name,
    location: LOCATION,
    tags: { app: name },
    networkProfile: {
      networkInterfaces: [{ id: networkId("networkInterfaces", `${name}-nic`), primary: true }],
    },
    ...extra,
  };
}

/**
 * A VM as ListAll?statusOnly=true returns it: its id and instance view only (the SDK types
 * `location` as required, but the status listing leaves the whole model out).
 */
export function sdkVmStatus(name: string, code: string, displayStatus?: string): SdkVirtualMachine {
  return {
    id: vmId(name),
    name,
    instanceView: {
      statuses: [
        { code: "ProvisioningState/succeeded" },
        { code, ...(displayStatus ? { displayStatus } : {}) },
      ],
    },
  } as SdkVirtualMachine;
}
