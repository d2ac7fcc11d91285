/**
 * The connectors' registry: how to connect to each cloud (lib/clouds/live.ts, CloudConnector), one
 * line per cloud, typed by the provider registry: a cloud of CLOUDS without a connector, or whose
 * connector does not give its provider's settings and connection, fails to compile. Apart from
 * lib/clouds/registry.ts because the connectors load the SDK adapters (AWS's statically), and the
 * provider registry is loaded by `segsync validate`, the ingest functions and the simulation.
 */
import type { Cloud } from "../inventory/model.js";
import { awsConnector } from "./aws/sdk/connect.js";
import { azureConnector } from "./azure/sdk/connect.js";
import { gcpConnector } from "./gcp/sdk/connect.js";
import type { CloudConnector } from "./live.js";
import type { Connections, LiveSections, ProviderSettings } from "./registry.js";

export const CONNECTORS = { aws: awsConnector, azure: azureConnector, gcp: gcpConnector } as const satisfies {
  readonly [C in Cloud]: CloudConnector<C, LiveSections[C], ProviderSettings[C], never, Connections[C]>;
};

/** Each cloud's clients other than the defaults. */
export type ConnectorClients = {
  readonly [C in Cloud]?: NonNullable<Parameters<(typeof CONNECTORS)[C]["connect"]>[1]>;
};

/** A connector with its cloud's own types erased, for code that connects every cloud alike. */
type AnyConnector = CloudConnector<Cloud, unknown, unknown, unknown, unknown>;

/**
 * The cloud's connector, for code that connects every cloud alike. Sound because the registry
 * keys each connector by its own cloud: a section and clients of cloud C only ever meet C's.
 */
export function connectorOf(cloud: Cloud): AnyConnector {
  return CONNECTORS[cloud] as AnyConnector;
}
