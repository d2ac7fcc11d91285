import type { AuthClient } from "google-auth-library";
import { importComputeModules } from "./modules.js";

/**
 * The Compute v1 messages as @google-cloud/compute decodes the REST JSON: the fields sdk/api.ts
 * reads, optional and nullable as the SDK's own `I…` interfaces declare them. Declared here rather
 * than imported: the SDK's types live in one 32 MB protos.d.ts, which adds some 12 s and 450 MB
 * to every `tsc` run of this project.
 */
type Maybe<T> = T | null | undefined;

export interface SdkAccessConfig {
  readonly name?: Maybe<string>;
  readonly type?: Maybe<string>;
  readonly natIP?: Maybe<string>;
}

export interface SdkNetworkInterface {
  readonly name?: Maybe<string>;
  readonly network?: Maybe<string>;
  readonly subnetwork?: Maybe<string>;
  readonly networkIP?: Maybe<string>;
  readonly accessConfigs?: Maybe<readonly SdkAccessConfig[]>;
}

/** uint64 ids arrive as strings over REST; the SDK's types also allow numbers and Longs. */
export type SdkId = Maybe<string | number | { toString(): string }>;

export interface SdkInstance {
  readonly id?: SdkId;
  readonly name?: Maybe<string>;
  readonly zone?: Maybe<string>;
  readonly status?: Maybe<string>;
  readonly labels?: Maybe<Readonly<Record<string, string>>>;
  readonly labelFingerprint?: Maybe<string>;
  readonly tags?: Maybe<{ readonly items?: Maybe<readonly string[]>; readonly fingerprint?: Maybe<string> }>;
  readonly networkInterfaces?: Maybe<readonly SdkNetworkInterface[]>;
  readonly selfLink?: Maybe<string>;
}

export interface SdkWarning {
  readonly code?: Maybe<string>;
  readonly message?: Maybe<string>;
}

export interface SdkInstancesScopedList {
  readonly instances?: Maybe<readonly SdkInstance[]>;
  readonly warning?: Maybe<SdkWarning>;
}

export interface SdkSubnetwork {
  readonly name?: Maybe<string>;
  readonly network?: Maybe<string>;
  readonly ipCidrRange?: Maybe<string>;
  readonly region?: Maybe<string>;
}

export interface SdkSubnetworksScopedList {
  readonly subnetworks?: Maybe<readonly SdkSubnetwork[]>;
  readonly warning?: Maybe<SdkWarning>;
}

export interface SdkFirewallProtocol {
  readonly IPProtocol?: Maybe<string>;
  readonly ports?: Maybe<string[]>;
}

/** Mutable arrays: the same shape is the SDK's request type (IFirewall), which takes plain arrays. */
export interface SdkFirewall {
  readonly id?: SdkId;
  readonly name?: Maybe<string>;
  readonly network?: Maybe<string>;
  readonly priority?: Maybe<number>;
  readonly direction?: Maybe<string>;
  readonly description?: Maybe<string>;
  readonly disabled?: Maybe<boolean>;
  readonly sourceRanges?: Maybe<string[]>;
  readonly sourceTags?: Maybe<string[]>;
  readonly sourceServiceAccounts?: Maybe<string[]>;
  readonly targetTags?: Maybe<string[]>;
  readonly targetServiceAccounts?: Maybe<string[]>;
  readonly destinationRanges?: Maybe<string[]>;
  readonly allowed?: Maybe<SdkFirewallProtocol[]>;
  readonly denied?: Maybe<SdkFirewallProtocol[]>;
  readonly selfLink?: Maybe<string>;
}

/** The fields of a Project segsync reads: its id, and whether it is a Shared VPC host. */
export interface SdkProject {
  readonly name?: Maybe<string>;
  /** "HOST" for a Shared VPC host project; "UNSPECIFIED_XPN_PROJECT_STATUS" otherwise. */
  readonly xpnProjectStatus?: Maybe<string | number>;
  /** The project's quotas: FIREWALLS counts its VPC firewall rules. */
  readonly quotas?: Maybe<readonly SdkQuota[]>;
}

/** One quota of a project: its metric (e.g. "FIREWALLS"), limit and usage; numbers as the REST JSON has them. */
export interface SdkQuota {
  readonly metric?: Maybe<string | number>;
  readonly limit?: Maybe<number>;
  readonly usage?: Maybe<number>;
}

/** One resource attached to a Shared VPC host: a service project is of type "PROJECT", its id the project id. */
export interface SdkXpnResourceId {
  readonly id?: Maybe<string>;
  readonly type?: Maybe<string | number>;
}

/** A rule as sent: without the output-only id and selfLink. */
export type SdkFirewallResource = Omit<SdkFirewall, "id" | "selfLink">;

export interface SdkOperationError {
  readonly errors?: Maybe<readonly { readonly code?: Maybe<string>; readonly message?: Maybe<string> }[]>;
}

export interface SdkOperation {
  readonly id?: SdkId;
  readonly name?: Maybe<string>;
  /** A name ("DONE"), as the REST decoding gives it; the SDK's types also allow the enum's number. */
  readonly status?: Maybe<string | number>;
  readonly zone?: Maybe<string>;
  readonly targetLink?: Maybe<string>;
  readonly error?: Maybe<SdkOperationError>;
  readonly httpErrorStatusCode?: Maybe<number>;
}

/** What the SDK's mutations resolve to first: gax's LROperation, whose latestResponse is the Compute Operation. */
export interface SdkOperationHandle {
  readonly latestResponse?: unknown;
}

type Mutation = Promise<[SdkOperationHandle, ...unknown[]]>;
type Paging = { readonly autoPaginate: false };

/**
 * The slice of the Compute clients that sdk/api.ts calls, with the request fields it sends.
 * The real clients are built by loadComputeClients; the unit tests implement it with typed fakes.
 */
export interface ComputeClients {
  readonly instances: {
    aggregatedListAsync(
      request: { project: string },
      options: Paging,
    ): AsyncIterable<[string, SdkInstancesScopedList]>;
    get(request: { project: string; zone: string; instance: string }): Promise<[SdkInstance, ...unknown[]]>;
    setTags(request: {
      project: string;
      zone: string;
      instance: string;
      requestId: string;
      tagsResource: { items: string[]; fingerprint: string };
    }): Mutation;
  };
  readonly firewalls: {
    listAsync(request: { project: string; filter?: string }, options: Paging): AsyncIterable<SdkFirewall>;
    insert(request: { project: string; requestId: string; firewallResource: SdkFirewallResource }): Mutation;
    update(request: {
      project: string;
      firewall: string;
      requestId: string;
      firewallResource: SdkFirewallResource;
    }): Mutation;
    delete(request: { project: string; firewall: string; requestId: string }): Mutation;
  };
  readonly subnetworks: {
    aggregatedListAsync(
      request: { project: string },
      options: Paging,
    ): AsyncIterable<[string, SdkSubnetworksScopedList]>;
  };
  readonly projects: {
    get(request: { project: string }): Promise<[SdkProject, ...unknown[]]>;
    getXpnResourcesAsync(request: { project: string }, options: Paging): AsyncIterable<SdkXpnResourceId>;
    getXpnHost(request: { project: string }): Promise<[SdkProject, ...unknown[]]>;
  };
  readonly zoneOperations: {
    wait(request: {
      project: string;
      zone: string;
      operation: string;
    }): Promise<[SdkOperation, ...unknown[]]>;
  };
  readonly globalOperations: {
    wait(request: { project: string; operation: string }): Promise<[SdkOperation, ...unknown[]]>;
  };
}

export interface ComputeClientOptions {
  /** Credentials to use as they are (tests: an OAuth2Client with a fixed token); absent: ADC. */
  readonly authClient?: AuthClient;
  /** A host other than compute.googleapis.com, e.g. "127.0.0.1" for a local fake. */
  readonly apiEndpoint?: string;
  readonly port?: number;
  /** "http" for a local fake; default https. */
  readonly protocol?: "http" | "https";
}

const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/**
 * One GoogleAuth for all the clients: left to themselves, each would build its own and resolve
 * application default credentials (and fetch a token) separately. gax tests for the key
 * `authClient` with `in`, so it is there only when given.
 */
async function credentials(authClient: AuthClient | undefined) {
  if (authClient !== undefined) return { authClient };
  const { GoogleAuth } = await import("google-auth-library");
  return { auth: new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] }) };
}

/** Imports the SDK (first call only: the module cache keeps it) and builds the clients. */
export async function loadComputeClients(options: ComputeClientOptions): Promise<ComputeClients> {
  const [modules, auth] = await Promise.all([importComputeModules(), credentials(options.authClient)]);
  const clientOptions = {
    ...auth,
    ...(options.apiEndpoint === undefined ? {} : { apiEndpoint: options.apiEndpoint }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.protocol === undefined ? {} : { protocol: options.protocol }),
  };
  return {
    instances: new modules.InstancesClient(clientOptions),
    firewalls: new modules.FirewallsClient(clientOptions),
    subnetworks: new modules.SubnetworksClient(clientOptions),
    projects: new modules.ProjectsClient(clientOptions),
    zoneOperations: new modules.ZoneOperationsClient(clientOptions),
    globalOperations: new modules.GlobalOperationsClient(clientOptions),
  };
}
