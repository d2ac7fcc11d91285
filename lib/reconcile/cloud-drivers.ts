import type { Connections, Providers } from "../clouds/registry.js";
import type { Cloud } from "../inventory/model.js";
import { type CloudDriver, cloudDriver } from "./driver.js";

/**
 * One driver per cloud: each cloud's provider bound to its connection (the wiring of the
 * reconciler functions, the CLI's live mode and the simulation). `wrap`, when given, is put around
 * each driver (a record key loaded before the first read; a test's injected failures).
 */
export function cloudDrivers(
  providers: Providers,
  connections: Connections,
  wrap: (driver: CloudDriver) => CloudDriver = (driver) => driver,
): Readonly<Record<Cloud, CloudDriver>> {
  return {
    aws: wrap(cloudDriver(providers.aws, connections.aws)),
    azure: wrap(cloudDriver(providers.azure, connections.azure)),
    gcp: wrap(cloudDriver(providers.gcp, connections.gcp)),
  };
}
