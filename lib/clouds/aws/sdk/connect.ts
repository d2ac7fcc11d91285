/**
 * Connecting to AWS (lib/clouds/live.ts, CloudConnector): the provider's quotas, and a connection
 * over exactly the accounts × regions of the config's `aws` section, its EC2 clients built on
 * first use.
 */
import type { EC2ClientConfig } from "@aws-sdk/client-ec2";
import type { CloudConnector } from "../../live.js";
import { type AwsQuotas, type AwsSection, DEFAULT_AWS_QUOTAS } from "../config.js";
import { AwsAccessError } from "../errors.js";
import { type AwsLocation, locationKey } from "../model.js";
import type { AwsConnection } from "../provider.js";
import { createSdkAwsApiFactory } from "./api.js";

/** Clients other than the defaults: an emulator's endpoint (moto), test credentials. */
export interface AwsLiveClients {
  /** EC2 and STS at this URL (e.g. moto_server) instead of AWS's. */
  readonly endpoint?: string;
  /** Absent: the SDK's default chain (environment, profile, SSO, instance or task role). */
  readonly credentials?: EC2ClientConfig["credentials"];
  readonly maxAttempts?: number;
}

function awsConnection(section: AwsSection | undefined, clients: AwsLiveClients = {}): AwsConnection {
  const accounts = section?.accounts ?? [];
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

export const awsConnector = {
  cloud: "aws",
  providerSettings: (section) => ({ quotas: section?.quotas ?? DEFAULT_AWS_QUOTAS }),
  connect: awsConnection,
} as const satisfies CloudConnector<
  "aws",
  AwsSection,
  { readonly quotas: AwsQuotas },
  AwsLiveClients,
  AwsConnection
>;
