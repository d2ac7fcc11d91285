/**
 * Connecting to GCP (lib/clouds/live.ts, CloudConnector): the provider's limits and priorities,
 * and a connection over the projects of the config's `gcp` section, with the Shared VPC rule for
 * service projects (docs/live.md, "GCP Shared VPC"). The configured credential is built, and the
 * Compute SDK imported, on the first Compute call.
 */
import type { AuthClient } from "google-auth-library";
import { type CallsOf, deferredApi, once } from "../../../live/deferred-api.js";
import { configuredAuth } from "../../common/section.js";
import type { CloudConnector } from "../../live.js";
import type { GcpApi } from "../api.js";
import {
  DEFAULT_GCP_PRIORITIES,
  DEFAULT_GCP_QUOTAS,
  type GcpPriorities,
  type GcpQuotas,
  type GcpSection,
} from "../config.js";
import { GcpAccessError } from "../errors.js";
import type { GcpConnection } from "../provider.js";
import { createSdkGcpApiFactory } from "./api.js";

/** Clients other than the defaults: a local fake's endpoint, a test credential. */
export interface GcpLiveClients {
  /** Absent: the one that `gcp.auth` of the config describes. */
  readonly authClient?: AuthClient;
  /** Compute at this host (e.g. "127.0.0.1" for a local fake) instead of compute.googleapis.com. */
  readonly apiEndpoint?: string;
  readonly port?: number;
  readonly protocol?: "http" | "https";
}

/** Every call of the GCP port, each waiting for the SDK adapter (lib/live/deferred-api.ts). */
const GCP_CALLS: Readonly<Record<CallsOf<GcpApi>, true>> = {
  listInstances: true,
  getInstance: true,
  setTags: true,
  listFirewalls: true,
  listFirewallsNamed: true,
  getFirewallQuota: true,
  listSubnetworks: true,
  insertFirewall: true,
  patchFirewall: true,
  deleteFirewall: true,
  getXpnResources: true,
  getXpnHost: true,
};

const deferredGcpApi = (project: string, load: () => Promise<GcpApi>) =>
  deferredApi<GcpApi>({ project }, load, GCP_CALLS);

function gcpConnection(section: GcpSection | undefined, clients: GcpLiveClients = {}): GcpConnection {
  const hosts = section?.projects ?? [];
  const projects = [...new Set([...hosts, ...(section?.serviceProjects ?? [])])];
  const configured = new Set(projects);
  const findServiceProjects = section !== undefined && section.findServiceProjects !== false;
  const { authClient, ...endpoint } = clients;
  // createSdkGcpApiFactory imports the Compute SDK itself, on the first call of its clients.
  const factory = once(async () => {
    const credentials =
      authClient ?? (await import("./credentials.js")).gcpAuthClient(configuredAuth(section));
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

export const gcpConnector = {
  cloud: "gcp",
  providerSettings: (section) => ({
    quotas: section?.limits ?? DEFAULT_GCP_QUOTAS,
    priorities: section?.priorities ?? DEFAULT_GCP_PRIORITIES,
  }),
  connect: gcpConnection,
} as const satisfies CloudConnector<
  "gcp",
  GcpSection,
  { readonly quotas: GcpQuotas; readonly priorities: GcpPriorities },
  GcpLiveClients,
  GcpConnection
>;
