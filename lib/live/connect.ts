/**
 * The live configuration wired to the real clouds: one provider per cloud configured with the
 * config's quotas, one SDK-backed connection per cloud over exactly the accounts × regions,
 * subscriptions and projects it names, and a reconciler driver per cloud. Used by the CLI's
 * `--live` and by the reconciler function. Each cloud is connected by its connector
 * (lib/clouds/<cloud>/sdk/connect.ts, through lib/clouds/connectors.ts).
 */
import type { Sealer } from "../clouds/common/seals.js";
import { type ConnectorClients, connectorOf } from "../clouds/connectors.js";
import {
  type Connections,
  createProviders,
  type ProviderSettings,
  type Providers,
} from "../clouds/registry.js";
import { CLOUDS, type Cloud } from "../inventory/model.js";
import { cloudDrivers } from "../reconcile/cloud-drivers.js";
import type { CloudDriver } from "../reconcile/driver.js";
import { DEFAULT_GUARD_LIMITS, type GuardLimits } from "../reconcile/guard.js";
import type { LiveConfig } from "./config.js";
import { liveRecordKey } from "./record-key.js";

/** Clients other than the defaults, per cloud (an emulator's endpoint, test credentials), and a record key. */
export type LiveClients = ConnectorClients & {
  /** A record key other than the config's (tests). */
  readonly recordKey?: Sealer & { load(): Promise<void> };
};

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
    ...eachCloud((cloud) => connectorOf(cloud).providerSettings(config[cloud])),
  } as ProviderSettings);
  const connections = eachCloud((cloud) =>
    connectorOf(cloud).connect(config[cloud], clients[cloud]),
  ) as Connections;
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

/** One value per cloud, keyed by cloud. */
function eachCloud(make: (cloud: Cloud) => unknown): Record<Cloud, unknown> {
  return Object.fromEntries(CLOUDS.map((cloud) => [cloud, make(cloud)])) as Record<Cloud, unknown>;
}
