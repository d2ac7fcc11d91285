import type { z } from "zod";
import type { Cloud } from "../inventory/model.js";
import type { AwsQuotas } from "./aws/config.js";
import { awsLive } from "./aws/live.js";
import { type AwsProvider, createAwsProvider } from "./aws/provider.js";
import type { AzureQuotas } from "./azure/config.js";
import { azureLive } from "./azure/live.js";
import { type AzureProvider, createAzureProvider } from "./azure/provider.js";
import type { Sealer } from "./common/seals.js";
import type { GcpPriorities, GcpQuotas } from "./gcp/config.js";
import { gcpLive } from "./gcp/live.js";
import { createGcpProvider, type GcpProvider } from "./gcp/provider.js";
import type { CloudLive } from "./live.js";

/** Each cloud's provider type. A cloud added to CLOUDS without an entry here fails to compile. */
interface ProviderTypes {
  readonly aws: AwsProvider;
  readonly azure: AzureProvider;
  readonly gcp: GcpProvider;
}

export type Providers = { readonly [C in Cloud]: ProviderTypes[C] };

/** Each cloud's connection, of the type its provider reads and writes through. */
export type Connections = { readonly [C in Cloud]: Parameters<ProviderTypes[C]["discover"]>[0] };

export interface ProviderSettings {
  /** The record key: what proves an object or a restore record segsync's own (lib/clouds/common/seals.ts). */
  readonly sealer: Sealer;
  readonly aws: { readonly quotas: AwsQuotas };
  readonly azure: { readonly quotas: AzureQuotas; readonly resourceGroups: Readonly<Record<string, string>> };
  readonly gcp: { readonly quotas: GcpQuotas; readonly priorities: GcpPriorities };
}

/** The registry: one provider per cloud (docs/architecture.md, "Layout"), configured. */
export function createProviders(settings: ProviderSettings): Providers {
  return {
    aws: createAwsProvider({ ...settings.aws, sealer: settings.sealer }),
    azure: createAzureProvider({ ...settings.azure, sealer: settings.sealer }),
    gcp: createGcpProvider({ ...settings.gcp, sealer: settings.sealer }),
  };
}

/**
 * Each cloud's live part (lib/clouds/live.ts): its section of the live configuration and its
 * places. Connecting is in lib/clouds/connectors.ts.
 */
export const LIVE = { aws: awsLive, azure: azureLive, gcp: gcpLive } as const satisfies {
  readonly [C in Cloud]: CloudLive<C, z.ZodType, unknown, never>;
};

/** Each cloud's section of the live configuration, as parsed. */
export type LiveSections = { readonly [C in Cloud]: z.output<(typeof LIVE)[C]["section"]> };
