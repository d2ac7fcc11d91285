import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local HTTP fake of the Compute Engine v1 REST endpoints that lib/clouds/gcp/sdk/api.ts calls,
 * for driving the real @google-cloud/compute clients over plain http. Answers in Compute's JSON:
 * errors as `{ error: { code, message, errors: [{ reason }] } }`, mutations as Operations whose
 * effect lands when a `wait` reports them DONE (after `runningWaits` RUNNING answers).
 */
export type Json = Record<string, unknown>;

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
  readonly body: Json | undefined;
}

export interface ComputeFakeOptions {
  readonly project: string;
  /** The bearer token every request must carry (401 otherwise). */
  readonly token: string;
  /** Zones that show up in aggregated pages even without instances (as NO_RESULTS_ON_PAGE). */
  readonly zones?: readonly string[];
  readonly instancesPageSize?: number;
  readonly firewallsPageSize?: number;
  /** How many `wait` calls answer RUNNING before the operation is DONE. Default 1. */
  readonly runningWaits?: number;
  /** projects.get's body (its `name` should be the project); absent: a minimal Project that is no Shared VPC host. */
  readonly projectResource?: Json;
  /** projects.getXpnResources' `resources` (XpnResourceId objects), paged by `xpnResourcesPageSize`. */
  readonly xpnResources?: readonly Json[];
  readonly xpnResourcesPageSize?: number;
  /** projects.getXpnHost's body: the host's Project; absent: `{}`, as for a project attached to no host. */
  readonly xpnHost?: Json;
  /**
   * The project's "VPC firewall rules" quota: an insert beyond it is accepted, and its operation
   * ends DONE with QUOTA_EXCEEDED (docs/clouds.md, "GCP firewall rule limits"). Absent: no quota.
   */
  readonly firewallRulesQuota?: number;
}

/**
 * 403 rateLimitExceeded and 429 (throttling), 503 backendError before the request takes effect,
 * and `lostResponse`: the request takes effect (a mutation's operation runs to DONE), and its
 * answer is 503 backendError all the same.
 */
export type InjectedFailure = "rateLimitExceeded" | "tooManyRequests" | "backendError" | "lostResponse";

export interface ComputeFake {
  readonly port: number;
  readonly requests: RecordedRequest[];
  addInstance(instance: { readonly zone: string; readonly name: string } & Json): void;
  instance(zone: string, name: string): Json | undefined;
  addFirewall(firewall: { readonly name: string } & Json): void;
  /** A subnetwork of `network` (a network name of the project) in `region`. */
  addSubnetwork(
    subnetwork: { readonly region: string; readonly name: string; readonly network: string } & Json,
  ): void;
  firewall(name: string): Json | undefined;
  /** `count` requests fail so, after `skip` that do not. */
  failNext(count: number, failure: InjectedFailure, skip?: number): void;
  /** Every request from now on fails so, until `undefined` stops it (and forgets what failNext queued). */
  failAll(failure: InjectedFailure | undefined): void;
  /** The next mutation is accepted, but its operation ends DONE with this error (and no effect). */
  failNextOperation(error: { readonly code: string; readonly message: string }): void;
  stop(): Promise<void>;
}

const BASE = "https://www.googleapis.com/compute/v1";

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

interface PendingOperation {
  readonly resource: Json;
  waits: number;
  readonly apply: () => void;
  /** Set by failNextOperation: the operation ends with this error instead of applying. */
  readonly failure: { readonly code: string; readonly message: string } | undefined;
}

export async function startComputeFake(options: ComputeFakeOptions): Promise<ComputeFake> {
  const { project } = options;
  const projectUrl = `${BASE}/projects/${project}`;
  const instances = new Map<string, Json>();
  const firewalls = new Map<string, Json>();
  const subnetworks = new Map<string, Json>();
  const operations = new Map<string, PendingOperation>();
  const requests: RecordedRequest[] = [];
  const failures: (InjectedFailure | undefined)[] = [];
  let failingAll: InjectedFailure | undefined;
  let operationError: { code: string; message: string } | undefined;
  let serial = 1000;

  const fingerprint = () => Buffer.from(`fp-${++serial}`).toString("base64");
  const instanceKey = (zone: string, name: string) => `${zone}/${name}`;

  function startOperation(
    type: string,
    targetLink: string,
    zone: string | undefined,
    apply: () => void,
  ): Json {
    const name = `operation-${randomUUID()}`;
    const scope = zone === undefined ? `${projectUrl}/global` : `${projectUrl}/zones/${zone}`;
    const resource: Json = {
      kind: "compute#operation",
      id: String(++serial),
      name,
      operationType: type,
      targetLink,
      status: "RUNNING",
      progress: 0,
      selfLink: `${scope}/operations/${name}`,
      ...(zone === undefined ? {} : { zone: `${projectUrl}/zones/${zone}` }),
    };
    operations.set(name, { resource, waits: 0, apply, failure: operationError });
    operationError = undefined;
    return { ...resource };
  }

  function waitOperation(name: string): Json {
    const operation = operations.get(name);
    if (operation === undefined) throw new HttpError(404, "notFound", `The resource '${name}' was not found`);
    operation.waits += 1;
    if (operation.waits <= (options.runningWaits ?? 1)) return { ...operation.resource };
    if (operation.resource.status !== "DONE") {
      if (operation.failure === undefined) operation.apply();
      else
        Object.assign(operation.resource, {
          httpErrorStatusCode: 403,
          error: { errors: [operation.failure] },
        });
      Object.assign(operation.resource, { status: "DONE", progress: 100 });
    }
    return operation.resource;
  }

  /** Runs an operation to DONE at once, as if its caller had waited for it. */
  function completeOperation(name: string): void {
    const operation = operations.get(name);
    while (operation !== undefined && operation.resource.status !== "DONE") waitOperation(name);
  }

  /** One page, every region that has a subnetwork: what aggregatedList returns for a small project. */
  function aggregatedSubnetworks(): Json {
    const items: Json = {};
    for (const subnetwork of [...subnetworks.values()].sort((a, b) =>
      String(a.selfLink).localeCompare(String(b.selfLink)),
    )) {
      const scope = `regions/${String(subnetwork.regionName)}`;
      const { regionName: _region, ...shown } = subnetwork;
      const listed = (items[scope] as { subnetworks: Json[] } | undefined)?.subnetworks ?? [];
      items[scope] = { subnetworks: [...listed, shown] };
    }
    return {
      kind: "compute#subnetworkAggregatedList",
      id: `projects/${project}/aggregated/subnetworks`,
      items,
    };
  }

  function aggregatedInstances(query: URLSearchParams): Json {
    const sorted = [...instances.values()].sort((a, b) =>
      instanceKey(String(a.zoneName), String(a.name)).localeCompare(
        instanceKey(String(b.zoneName), String(b.name)),
      ),
    );
    const { page, nextPageToken } = paginate(sorted, query, options.instancesPageSize);
    const zones = new Set([...(options.zones ?? []), ...sorted.map((instance) => String(instance.zoneName))]);
    const items: Json = {};
    for (const zone of [...zones].sort()) {
      const inZone = page.filter((instance) => instance.zoneName === zone).map(publicInstance);
      items[`zones/${zone}`] =
        inZone.length > 0
          ? { instances: inZone }
          : {
              warning: {
                code: "NO_RESULTS_ON_PAGE",
                message: `There are no results for scope 'zones/${zone}' on this page.`,
              },
            };
    }
    return {
      kind: "compute#instanceAggregatedList",
      id: `projects/${project}/aggregated/instances`,
      items,
      nextPageToken,
    };
  }

  function getInstance(zone: string, name: string): Json {
    const instance = instances.get(instanceKey(zone, name));
    if (instance === undefined) {
      throw new HttpError(
        404,
        "notFound",
        `The resource 'projects/${project}/zones/${zone}/instances/${name}' was not found`,
      );
    }
    return instance;
  }

  function setTags(zone: string, name: string, body: Json): Json {
    for (const [index, tag] of ((body.items ?? []) as unknown[]).entries()) {
      checkName(`resource.tags.items[${index}]`, tag);
    }
    const instance = getInstance(zone, name);
    const tags = instance.tags as Json;
    if (body.fingerprint !== tags.fingerprint) {
      throw new HttpError(
        412,
        "conditionNotMet",
        "Supplied fingerprint does not match current metadata fingerprint.",
      );
    }
    const items = body.items as unknown[] | undefined;
    return startOperation("setTags", String(instance.selfLink), zone, () => {
      instance.tags = { ...(items === undefined ? {} : { items }), fingerprint: fingerprint() };
    });
  }

  function insertFirewall(body: Json): Json {
    checkName("resource.name", body.name);
    const name = String(body.name);
    if (firewalls.has(name)) {
      throw new HttpError(
        409,
        "alreadyExists",
        `The resource 'projects/${project}/global/firewalls/${name}' already exists`,
      );
    }
    const selfLink = `${projectUrl}/global/firewalls/${name}`;
    const quota = options.firewallRulesQuota;
    if (quota !== undefined && firewalls.size >= quota) {
      // Compute accepts the request; the quota is checked when the operation runs.
      operationError ??= {
        code: "QUOTA_EXCEEDED",
        message: `Quota 'FIREWALLS' exceeded. Limit: ${quota.toFixed(1)} globally.`,
      };
    }
    return startOperation("insert", selfLink, undefined, () => {
      firewalls.set(name, storedFirewall({ ...body, id: String(++serial), selfLink }));
    });
  }

  function changeFirewall(name: string, body: Json, merge: boolean): Json {
    const current = getFirewall(name);
    if (body.network !== undefined && body.network !== current.network) {
      throw new HttpError(
        400,
        "invalid",
        "Invalid value for field 'resource.network': the network cannot change.",
      );
    }
    const identity = {
      kind: current.kind,
      id: current.id,
      name,
      network: current.network,
      selfLink: current.selfLink,
    };
    const next = merge ? { ...current, ...body, ...identity } : storedFirewall({ ...body, ...identity });
    return startOperation(merge ? "patch" : "update", String(current.selfLink), undefined, () => {
      firewalls.set(name, next);
    });
  }

  function getFirewall(name: string): Json {
    const firewall = firewalls.get(name);
    if (firewall === undefined) {
      throw new HttpError(
        404,
        "notFound",
        `The resource 'projects/${project}/global/firewalls/${name}' was not found`,
      );
    }
    return firewall;
  }

  function route(method: string, path: string, query: URLSearchParams, body: Json | undefined): Json {
    if (method === "GET" && path === `/compute/v1/projects/${project}`) {
      // The FIREWALLS quota counts every rule of the project (no quota set: Compute's default, 1000).
      const quotas = [
        { metric: "FIREWALLS", limit: options.firewallRulesQuota ?? 1000, usage: firewalls.size },
      ];
      return options.projectResource ?? { kind: "compute#project", name: project, quotas };
    }
    const prefix = `/compute/v1/projects/${project}/`;
    if (!path.startsWith(prefix)) throw new HttpError(404, "notFound", `unknown project in ${path}`);
    const parts = path.slice(prefix.length).split("/").map(decodeURIComponent);
    const at = (shape: string) =>
      shape.split("/").length === parts.length &&
      shape.split("/").every((segment, index) => segment === "*" || segment === parts[index]);
    const part = (index: number) => parts[index] as string;
    if (method === "GET" && at("getXpnResources")) {
      const resources = [...(options.xpnResources ?? [])];
      const { page, nextPageToken } = paginate(resources, query, options.xpnResourcesPageSize);
      // An empty page carries no `resources`, as Compute omits empty lists.
      return {
        kind: "compute#projectsGetXpnResources",
        ...(page.length === 0 ? {} : { resources: page }),
        nextPageToken,
      };
    }
    if (method === "GET" && at("getXpnHost")) return options.xpnHost ?? {};
    if (method === "GET" && at("aggregated/instances")) return aggregatedInstances(query);
    if (method === "GET" && at("aggregated/subnetworks")) return aggregatedSubnetworks();
    if (method === "GET" && at("zones/*/instances/*")) return publicInstance(getInstance(part(1), part(3)));
    if (method === "POST" && at("zones/*/instances/*/setTags")) return setTags(part(1), part(3), body ?? {});
    if (method === "POST" && at("zones/*/operations/*/wait")) return waitOperation(part(3));
    if (method === "POST" && at("global/operations/*/wait")) return waitOperation(part(2));
    if (method === "GET" && at("global/firewalls")) {
      const listed = [...firewalls.values()].filter(nameFilter(query.get("filter")));
      const { page, nextPageToken } = paginate(listed, query, options.firewallsPageSize);
      return { kind: "compute#firewallList", items: page, nextPageToken };
    }
    if (method === "POST" && at("global/firewalls")) return insertFirewall(body ?? {});
    if (method === "PUT" && at("global/firewalls/*")) return changeFirewall(part(2), body ?? {}, false);
    if (method === "PATCH" && at("global/firewalls/*")) return changeFirewall(part(2), body ?? {}, true);
    if (method === "DELETE" && at("global/firewalls/*")) {
      const firewall = getFirewall(part(2));
      return startOperation("delete", String(firewall.selfLink), undefined, () => firewalls.delete(part(2)));
    }
    throw new HttpError(501, "notImplemented", `the Compute fake has no route for ${method} ${path}`);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://fake");
    const text = await readBody(request);
    const body = text === "" ? undefined : (JSON.parse(text) as Json);
    const method = request.method ?? "GET";
    const authorization = request.headers.authorization;
    requests.push({ method, path: url.pathname, query: url.searchParams, authorization, body });
    try {
      if (authorization !== `Bearer ${options.token}`) {
        throw new HttpError(401, "authError", "Request had invalid authentication credentials.");
      }
      const failure = failures.shift() ?? failingAll;
      if (failure === "rateLimitExceeded") {
        throw new HttpError(403, "rateLimitExceeded", "Rate Limit Exceeded");
      }
      if (failure === "tooManyRequests") throw new HttpError(429, "rateLimitExceeded", "Too Many Requests");
      if (failure === "backendError") throw backendError();
      const answer = route(method, url.pathname, url.searchParams, body);
      if (failure === "lostResponse") {
        if (answer.kind === "compute#operation") completeOperation(String(answer.name));
        throw backendError();
      }
      send(response, 200, answer);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      const errors = [{ message: error.message, domain: "global", reason: error.reason }];
      send(response, error.status, { error: { code: error.status, message: error.message, errors } });
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      send(response, 500, { error: { code: 500, message: String(error), errors: [] } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    port,
    requests,
    addInstance(instance) {
      const selfLink = `${projectUrl}/zones/${instance.zone}/instances/${instance.name}`;
      // A fingerprint given with the tags (a recorded instance's) is kept.
      const tags = { fingerprint: fingerprint(), ...((instance.tags as Json | undefined) ?? {}) };
      instances.set(instanceKey(instance.zone, instance.name), {
        kind: "compute#instance",
        id: String(++serial),
        status: "RUNNING",
        networkInterfaces: [],
        // Compute returns a labelFingerprint even for an instance without labels.
        labelFingerprint: fingerprint(),
        ...instance,
        zoneName: instance.zone,
        zone: `${projectUrl}/zones/${instance.zone}`,
        tags,
        selfLink,
      });
    },
    instance: (zone, name) => {
      const instance = instances.get(instanceKey(zone, name));
      return instance === undefined ? undefined : publicInstance(instance);
    },
    addFirewall(firewall) {
      const selfLink = `${projectUrl}/global/firewalls/${firewall.name}`;
      firewalls.set(
        firewall.name,
        storedFirewall({ kind: "compute#firewall", id: String(++serial), ...firewall, selfLink }),
      );
    },
    firewall: (name) => firewalls.get(name),
    addSubnetwork({ region, name, network, ...rest }) {
      const selfLink = `${projectUrl}/regions/${region}/subnetworks/${name}`;
      subnetworks.set(selfLink, {
        kind: "compute#subnetwork",
        id: String(++serial),
        name,
        network: `${projectUrl}/global/networks/${network}`,
        region: `${projectUrl}/regions/${region}`,
        ...rest,
        regionName: region,
        selfLink,
      });
    },
    failNext(count, failure, skip = 0) {
      for (let index = 0; index < skip; index += 1) failures.push(undefined);
      for (let index = 0; index < count; index += 1) failures.push(failure);
    },
    failAll(failure) {
      failingAll = failure;
      if (failure === undefined) failures.length = 0;
    },
    failNextOperation(error) {
      operationError = { ...error };
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * A rule as Compute stores it: `disabled` is always returned, false unless set (the recorded
 * rules of test/fixtures/gcp/compute/gcpdiag-gce1-effective-firewalls.json all carry it).
 */
function storedFirewall(firewall: Json): Json {
  return { kind: "compute#firewall", ...firewall, disabled: firewall.disabled ?? false };
}

/**
 * Compute's check of resource names and network tags (RFC 1035, docs/clouds.md, "GCP firewall rule
 * limits" and "GCP network tags"), with its 400 invalid. The fake checks nothing else of a request.
 */
function checkName(field: string, value: unknown): void {
  if (typeof value !== "string" || !/^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/.test(value)) {
    throw new HttpError(
      400,
      "invalid",
      `Invalid value for field '${field}': '${String(value)}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`,
    );
  }
}

/** Compute's 503 when a backend is unavailable. */
function backendError(): HttpError {
  return new HttpError(503, "backendError", "Internal error. Please try again or contact Google Support.");
}

/** The stored instance without the fake's own bookkeeping. */
function publicInstance(instance: Json): Json {
  const { zoneName: _zoneName, ...rest } = instance;
  return rest;
}

/**
 * firewalls.list's `filter`, as far as the fake knows it: `name eq "<RE2>"` (the literal must
 * match the whole name); any other filter is refused rather than ignored.
 */
function nameFilter(filter: string | null): (firewall: Json) => boolean {
  if (filter === null) return () => true;
  const match = /^name eq "([^"]*)"$/.exec(filter);
  if (match === null) throw new HttpError(400, "invalid", `the Compute fake cannot filter by ${filter}`);
  const pattern = new RegExp(`^(?:${match[1]})$`);
  return (firewall) => pattern.test(String(firewall.name));
}

function paginate<T>(
  items: readonly T[],
  query: URLSearchParams,
  pageSize: number | undefined,
): { page: T[]; nextPageToken: string | undefined } {
  const maxResults = Number(query.get("maxResults") ?? 500);
  const size = Math.min(maxResults > 0 ? maxResults : 500, pageSize ?? 500);
  const token = query.get("pageToken");
  const start = token ? Number(Buffer.from(token, "base64").toString()) : 0;
  const end = start + size;
  const nextPageToken = end < items.length ? Buffer.from(String(end)).toString("base64") : undefined;
  return { page: items.slice(start, end), nextPageToken };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(response: ServerResponse, status: number, body: Json): void {
  response.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
  response.end(JSON.stringify(body));
}
