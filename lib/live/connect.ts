/**
 * The live configuration wired to the real clouds: one provider per cloud configured with the
 * config's quotas, one SDK-backed connection per cloud over exactly the accounts × regions,
 * subscriptions and projects it names, and a reconciler driver per cloud. Used by the CLI's
 * `--live` and by the reconciler function.
 */
import type { EC2ClientConfig } from "@aws-sdk/client-ec2";
import type { TokenCredential } from "@azure/identity";
import type { AuthClient } from "google-auth-library";
import { DEFAULT_AWS_QUOTAS } from "../clouds/aws/config.js";
import { AwsAccessError } from "../clouds/aws/errors.js";
import { type AwsLocation, locationKey } from "../clouds/aws/model.js";
import type { AwsConnection } from "../clouds/aws/provider.js";
import { createSdkAwsApiFactory } from "../clouds/aws/sdk/api.js";
import { DEFAULT_AZURE_QUOTAS } from "../clouds/azure/config.js";
import { AzureAccessError } from "../clouds/azure/errors.js";
import type { AzureConnection } from "../clouds/azure/provider.js";
import type { Sealer } from "../clouds/common/seals.js";
import type { GcpApi } from "../clouds/gcp/api.js";
import { DEFAULT_GCP_PRIORITIES, DEFAULT_GCP_QUOTAS } from "../clouds/gcp/config.js";
import { GcpAccessError } from "../clouds/gcp/errors.js";
import type { GcpConnection } from "../clouds/gcp/provider.js";
import { createSdkGcpApiFactory } from "../clouds/gcp/sdk/api.js";
import { type Connections, createProviders, type Providers } from "../clouds/registry.js";
import type { Cloud } from "../inventory/model.js";
import { cloudDrivers } from "../reconcile/cloud-drivers.js";
import type { CloudDriver } from "../reconcile/driver.js";
import { DEFAULT_GUARD_LIMITS, type GuardLimits } from "../reconcile/guard.js";
import type { LiveConfig } from "./config.js";
import { deferredAzureApi, deferredGcpApi, once } from "./deferred-api.js";
import { liveRecordKey } from "./record-key.js";

/** Clients other than the defaults: an emulator's endpoint (moto), test credentials. */
export interface LiveClients {
  readonly aws?: {
    /** EC2 and STS at this URL (e.g. moto_server) instead of AWS's. */
    readonly endpoint?: string;
    /** Absent: the SDK's default chain (environment, profile, SSO, instance or task role). */
    readonly credentials?: EC2ClientConfig["credentials"];
    readonly maxAttempts?: number;
  };
  readonly azure?: {
    /** Absent: the one that `azure.auth` of the config describes. */
    readonly credential?: TokenCredential;
    /** ARM at this URL instead of https://management.azure.com. */
    readonly endpoint?: string;
  };
  /** A record key other than the config's (tests). */
  readonly recordKey?: Sealer & { load(): Promise<void> };
  readonly gcp?: {
    /** Absent: the one that `gcp.auth` of the config describes. */
    readonly authClient?: AuthClient;
    /** Compute at this host (e.g. "127.0.0.1" for a local fake) instead of compute.googleapis.com. */
    readonly apiEndpoint?: string;
    readonly port?: number;
    readonly protocol?: "http" | "https";
  };
}

export interface LiveConnections {
  readonly providers: Providers;
  /** Loaded by the drivers' first read; what seals and verifies segsync's objects and records. */
  readonly recordKey: Sealer & { load(): Promise<void> };
  readonly connections: Connections;
  readonly drivers: Readonly<Record<Cloud, CloudDriver>>;
  readonly guard: GuardLimits;
}

/**
 * Connects nothing yet: clients and credentials are built on first use, the Azure and GCP SDKs
 * are imported only when a subscription or project is first read, and a cloud absent from the
 * config gets a connection with no locations, which reads and writes nothing.
 */
export function connectLive(config: LiveConfig, clients: LiveClients = {}): LiveConnections {
  const recordKey = clients.recordKey ?? liveRecordKey(config.recordKey);
  const providers = createProviders({
    sealer: recordKey,
    aws: { quotas: config.aws?.quotas ?? DEFAULT_AWS_QUOTAS },
    azure: {
      quotas: config.azure?.quotas ?? DEFAULT_AZURE_QUOTAS,
      resourceGroups: Object.fromEntries(
        (config.azure?.subscriptions ?? []).map((s) => [s.subscription, s.resourceGroup]),
      ),
    },
    gcp: {
      quotas: config.gcp?.limits ?? DEFAULT_GCP_QUOTAS,
      priorities: config.gcp?.priorities ?? DEFAULT_GCP_PRIORITIES,
    },
  });
  const connections = {
    aws: awsConnection(config, clients.aws),
    azure: azureConnection(config, clients.azure),
    gcp: gcpConnection(config, clients.gcp),
  };
  // Every plan follows a read: the key is there before anything is verified or sealed.
  const keyed = (driver: CloudDriver): CloudDriver => ({
    ...driver,
    async discover(labels, scope) {
      await recordKey.load();
      return driver.discover(labels, scope);
    },
  });
  return {
    providers,
    recordKey,
    connections,
    drivers: cloudDrivers(providers, connections, keyed),
    guard: config.guard ?? DEFAULT_GUARD_LIMITS,
  };
}

function awsConnection(config: LiveConfig, clients: LiveClients["aws"] = {}): AwsConnection {
  const accounts = config.aws?.accounts ?? [];
  const locations: AwsLocation[] = accounts.flatMap(({ account, regions }) =>
    regions.map((region) => ({ account, region })),
  );
  const configured = new Set(locations.map(locationKey));
  const vpcs: Record<string, readonly string[]> = {};
  for (const { account, regions, vpcs: listed } of accounts) {
    if (listed === undefined) continue;
    for (const region of regions) vpcs[locationKey({ account, region })] = listed;
  }
  // Built on first use: with no AWS in the config there is nothing to build.
  let factory: ReturnType<typeof createSdkAwsApiFactory> | undefined;
  return {
    locations,
    vpcs,
    apiFor(location) {
      // An event can name any account: what the config does not list is neither read nor written.
      if (!configured.has(locationKey(location)))
        throw new AwsAccessError(
          `AWS ${locationKey(location)} is not among the configured accounts and regions`,
          "NotConfigured",
        );
      factory ??= createSdkAwsApiFactory({
        accounts,
        ...(clients.endpoint === undefined ? {} : { endpoint: clients.endpoint }),
        ...(clients.credentials === undefined ? {} : { credentials: clients.credentials }),
        ...(clients.maxAttempts === undefined ? {} : { maxAttempts: clients.maxAttempts }),
      });
      return factory(location);
    },
  };
}

function azureConnection(config: LiveConfig, clients: LiveClients["azure"] = {}): AzureConnection {
  const azure = config.azure;
  const subscriptions = (azure?.subscriptions ?? []).map((s) => s.subscription);
  const configured = new Set(subscriptions);
  const factory = once(async () => {
    const [{ createSdkAzureApiFactory }, credential] = await Promise.all([
      import("../clouds/azure/sdk/api.js"),
      clients.credential ??
        import("../clouds/azure/sdk/credentials.js").then((m) => m.azureCredential(authOf(azure))),
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
      return deferredAzureApi(subscription, async () => (await factory())(subscription));
    },
  };
}

function gcpConnection(config: LiveConfig, clients: LiveClients["gcp"] = {}): GcpConnection {
  const gcp = config.gcp;
  const hosts = gcp?.projects ?? [];
  const projects = [...new Set([...hosts, ...(gcp?.serviceProjects ?? [])])];
  const configured = new Set(projects);
  const findServiceProjects = gcp !== undefined && gcp.findServiceProjects !== false;
  const { authClient, ...endpoint } = clients;
  // createSdkGcpApiFactory imports the Compute SDK itself, on the first call of its clients.
  const factory = once(async () => {
    const credentials =
      authClient ?? (await import("../clouds/gcp/sdk/credentials.js")).gcpAuthClient(authOf(gcp));
    return createSdkGcpApiFactory({ ...endpoint, authClient: await credentials });
  });
  const confirmed = new Map<string, () => Promise<GcpApi>>();
  return {
    projects,
    ...(findServiceProjects ? { hosts } : {}),
    apiFor(project) {
      if (configured.has(project)) return deferredGcpApi(project, async () => (await factory())(project));
      if (!findServiceProjects) throw notConfigured(project);
      // Another project is read or written only once it names a configured host as its own.
      let load = confirmed.get(project);
      if (load === undefined) {
        load = once(async () => {
          const api = (await factory())(project);
          const host = await api.getXpnHost();
          if (host === undefined || !hosts.includes(host)) throw notConfigured(project, host);
          return api;
        });
        confirmed.set(project, load);
      }
      return deferredGcpApi(project, load);
    },
  };
}

function notConfigured(project: string, host?: string): GcpAccessError {
  const why = host === undefined ? "" : ` (its Shared VPC host ${host} is not configured either)`;
  return new GcpAccessError(
    `GCP project ${project} is not among the configured projects, nor a service project of one${why}`,
    "NotConfigured",
    0,
  );
}

/** A configured cloud's auth; apiFor refuses every place of a cloud that is not configured before it gets here. */
function authOf<Auth>(cloud: { readonly auth: Auth } | undefined): Auth {
  if (cloud === undefined) throw new TypeError("a cloud that is not configured has no auth");
  return cloud.auth;
}
