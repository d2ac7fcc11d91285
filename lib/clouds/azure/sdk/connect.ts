/**
 * Connecting to Azure (lib/clouds/live.ts, CloudConnector): the provider's quotas and resource
 * groups, and a connection over exactly the subscriptions of the config's `azure` section. The
 * Azure SDK and the configured credential are imported on the first ARM call.
 */
import type { TokenCredential } from "@azure/identity";
import { type CallsOf, deferredApi, once } from "../../../live/deferred-api.js";
import { configuredAuth } from "../../common/section.js";
import type { CloudConnector } from "../../live.js";
import type { AzureApi } from "../api.js";
import { type AzureQuotas, type AzureSection, DEFAULT_AZURE_QUOTAS } from "../config.js";
import { AzureAccessError } from "../errors.js";
import type { AzureConnection } from "../provider.js";

/** Clients other than the defaults: a local fake's endpoint, a test credential. */
export interface AzureLiveClients {
  /** Absent: the one that `azure.auth` of the config describes. */
  readonly credential?: TokenCredential;
  /** ARM at this URL instead of https://management.azure.com. */
  readonly endpoint?: string;
}

/** Every call of the Azure port, each waiting for the SDK adapter (lib/live/deferred-api.ts). */
const AZURE_CALLS: Readonly<Record<CallsOf<AzureApi>, true>> = {
  listVirtualMachines: true,
  getVirtualMachine: true,
  listNetworkInterfaces: true,
  getNetworkInterface: true,
  listPublicIPAddresses: true,
  getPublicIPAddress: true,
  listNetworkSecurityGroups: true,
  getNetworkSecurityGroup: true,
  listApplicationSecurityGroups: true,
  getApplicationSecurityGroup: true,
  listVirtualNetworks: true,
  putNetworkSecurityGroup: true,
  deleteNetworkSecurityGroup: true,
  putApplicationSecurityGroup: true,
  deleteApplicationSecurityGroup: true,
  putNetworkInterface: true,
};

function azureConnection(section: AzureSection | undefined, clients: AzureLiveClients = {}): AzureConnection {
  const subscriptions = (section?.subscriptions ?? []).map((s) => s.subscription);
  const configured = new Set(subscriptions);
  const factory = once(async () => {
    const [{ createSdkAzureApiFactory }, credential] = await Promise.all([
      import("./api.js"),
      clients.credential ??
        import("./credentials.js").then((m) => m.azureCredential(configuredAuth(section))),
    ]);
    return createSdkAzureApiFactory({
      credential,
      ...(clients.endpoint === undefined ? {} : { endpoint: clients.endpoint }),
    });
  });
  return {
    subscriptions,
    apiFor(subscription) {
      if (!configured.has(subscription))
        throw new AzureAccessError(
          `Azure subscription ${subscription} is not among the configured subscriptions`,
          "NotConfigured",
          0,
        );
      return deferredApi<AzureApi>(
        { subscription },
        async () => (await factory())(subscription),
        AZURE_CALLS,
      );
    },
  };
}

export const azureConnector = {
  cloud: "azure",
  providerSettings: (section) => ({
    quotas: section?.quotas ?? DEFAULT_AZURE_QUOTAS,
    resourceGroups: Object.fromEntries(
      (section?.subscriptions ?? []).map((s) => [s.subscription, s.resourceGroup]),
    ),
  }),
  connect: azureConnection,
} as const satisfies CloudConnector<
  "azure",
  AzureSection,
  { readonly quotas: AzureQuotas; readonly resourceGroups: Readonly<Record<string, string>> },
  AzureLiveClients,
  AzureConnection
>;
