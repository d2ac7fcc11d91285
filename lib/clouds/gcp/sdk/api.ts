import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { onePerPlace } from "../../common/per-place.js";
import { UnreadableObjects } from "../../common/unreadable.js";
import type { CloudFinding } from "../../provider.js";
import type { FirewallSelection, GcpApi, GcpApiFactory, GcpFirewallQuota } from "../api.js";
import { GcpApiError, GcpInvalidRequestError, GcpNotFoundError } from "../errors.js";
import { type GcpFirewall, type GcpInstance, type GcpSubnetwork, zoneName } from "../model.js";
import {
  type ComputeClientOptions,
  type ComputeClients,
  loadComputeClients,
  type SdkFirewall,
  type SdkOperation,
  type SdkOperationHandle,
} from "./clients.js";
import { toGcpError, toOperationError } from "./errors.js";
import { type GcpRetryOptions, type RetryPolicy, retryPolicy, withRetry } from "./retry.js";
import { toFirewall, toInstance, toSdkFirewall, toSubnetwork } from "./shapes.js";

export interface SdkGcpApiOptions extends ComputeClientOptions {
  /** Backoff for 403 rateLimitExceeded and 429. */
  readonly retry?: GcpRetryOptions;
  /** Waiting for operations: the pause after a wait that returned early, and the overall limit. */
  readonly operations?: { readonly pollIntervalMs?: number; readonly timeoutMs?: number };
}

export interface SdkGcpSettings {
  readonly retry: RetryPolicy;
  readonly pollIntervalMs: number;
  readonly operationTimeoutMs: number;
}

export function sdkGcpSettings(options: SdkGcpApiOptions = {}): SdkGcpSettings {
  return {
    retry: retryPolicy(options.retry),
    pollIntervalMs: options.operations?.pollIntervalMs ?? 1_000,
    operationTimeoutMs: options.operations?.timeoutMs ?? 5 * 60_000,
  };
}

/**
 * One SdkGcpApi per project, all sharing one set of Compute clients, which are imported and
 * built on the first call: that costs a cold process about a second (0.3 s of imports, then
 * 0.7 s for gax to build the Compute protos into the first client), which a run without GCP skips.
 */
export function createSdkGcpApiFactory(options: SdkGcpApiOptions = {}): GcpApiFactory {
  const settings = sdkGcpSettings(options);
  let clients: Promise<ComputeClients> | undefined;
  const loadClients = (): Promise<ComputeClients> => {
    clients ??= loadComputeClients(options).catch((error: unknown) => {
      clients = undefined;
      throw toGcpError(error, "loading @google-cloud/compute");
    });
    return clients;
  };
  return onePerPlace(
    (project) => project,
    (project) => new SdkGcpApi(project, loadClients, settings),
  );
}

const PAGING = { autoPaginate: false } as const;

/** A firewall name prefix ending in "-", and a name: nothing in either an RE2 reads as more than itself. */
const NAME_STEM = /^[a-z][-a-z0-9]*-$/;
const RULE_NAME = /^[a-z](?:[-a-z0-9]*[a-z0-9])?$/;
/** Alternatives per firewalls.list filter: a single-workload event needs a few; a burst, more requests. */
const SELECTION_CHUNK = 40;

/** A stem or name of a selection, refused when it is not one (it goes into a filter's regular expression). */
function checkedPart(part: string, shape: RegExp, what: string): string {
  if (!shape.test(part))
    throw new GcpInvalidRequestError(`firewalls.list: "${part}" is no ${what}`, "invalid", 400);
  return part;
}

/** Operation.Status.DONE's number in the Compute protos, should the SDK ever decode enums as numbers. */
const OPERATION_DONE_NUMBER = 2104194;

/** Project.XpnProjectStatus.HOST and XpnResourceId.Type.PROJECT in the Compute protos, likewise. */
const XPN_HOST_NUMBER = 2223528;
const XPN_PROJECT_NUMBER = 408671993;

function isDone(operation: SdkOperation): boolean {
  return operation.status === "DONE" || operation.status === OPERATION_DONE_NUMBER;
}

/** GcpApi over @google-cloud/compute (REST) for one project. */
export class SdkGcpApi implements GcpApi {
  /** Objects left out of a read because segsync cannot model them. */
  private readonly unreadable = new UnreadableObjects("gcp-unreadable-object");

  takeUnreadable(): CloudFinding[] {
    return this.unreadable.take();
  }

  constructor(
    readonly project: string,
    private readonly clients: () => Promise<ComputeClients>,
    private readonly settings: SdkGcpSettings,
  ) {}

  async listInstances(): Promise<GcpInstance[]> {
    const { instances } = await this.clients();
    const scopes = await this.collect("instances.aggregatedList", () =>
      instances.aggregatedListAsync({ project: this.project }, PAGING),
    );
    const result: GcpInstance[] = [];
    for (const [scope, list] of scopes) {
      // A zone that did not answer would read as a zone without instances, and its workloads
      // would drop out of every policy: better no listing than a partial one.
      if (list.warning?.code === "UNREACHABLE") {
        throw new GcpApiError(
          `instances.aggregatedList: ${scope} is unreachable: ${list.warning.message ?? ""}`,
          "UNREACHABLE",
          503,
        );
      }
      const zoneUrl = `https://www.googleapis.com/compute/v1/projects/${this.project}/${scope}`;
      result.push(
        ...this.unreadable.modelEach(
          list.instances ?? [],
          (instance) => toInstance(instance, zoneUrl),
          (instance) => `instance ${this.project}/${zoneName(scope)}/${instance.name ?? "(no name)"}`,
        ),
      );
    }
    return result;
  }

  async listSubnetworks(): Promise<GcpSubnetwork[]> {
    const { subnetworks } = await this.clients();
    const scopes = await this.collect("subnetworks.aggregatedList", () =>
      subnetworks.aggregatedListAsync({ project: this.project }, PAGING),
    );
    const result: GcpSubnetwork[] = [];
    for (const [scope, list] of scopes) {
      // A region that did not answer would drop its ranges: better no listing than a partial one.
      if (list.warning?.code === "UNREACHABLE") {
        throw new GcpApiError(
          `subnetworks.aggregatedList: ${scope} is unreachable: ${list.warning.message ?? ""}`,
          "UNREACHABLE",
          503,
        );
      }
      result.push(
        ...this.unreadable.modelEach(
          list.subnetworks ?? [],
          toSubnetwork,
          (subnetwork) => `subnetwork ${this.project}/${scope}/${subnetwork.name ?? "(no name)"}`,
        ),
      );
    }
    return result;
  }

  async getInstance(zone: string, name: string): Promise<GcpInstance | undefined> {
    const { instances } = await this.clients();
    const request = { project: this.project, zone: zoneName(zone), instance: name };
    try {
      const [instance] = await this.call(`instances.get ${request.zone}/${name}`, () =>
        instances.get(request),
      );
      return toInstance(instance);
    } catch (error) {
      if (error instanceof GcpNotFoundError) return undefined;
      throw error;
    }
  }

  async setTags(zone: string, name: string, items: readonly string[], fingerprint: string): Promise<void> {
    const { instances } = await this.clients();
    const what = `instances.setTags ${zoneName(zone)}/${name}`;
    const request = {
      project: this.project,
      zone: zoneName(zone),
      instance: name,
      requestId: randomUUID(),
      tagsResource: { items: [...items], fingerprint },
    };
    const [handle] = await this.call(what, () => instances.setTags(request));
    await this.awaitOperation(handle, what, request.zone);
  }

  async listFirewalls(): Promise<GcpFirewall[]> {
    const { firewalls } = await this.clients();
    const rules = await this.collect("firewalls.list", () =>
      firewalls.listAsync({ project: this.project }, PAGING),
    );
    return this.unreadable.modelEach(
      rules,
      toFirewall,
      (rule) => `firewall rule ${this.project}/${rule.name ?? "(no name)"}`,
    );
  }

  /**
   * firewalls.list with `name eq "(?:<stem>.*|<name>|…)"`: Compute reads the literal as an RE2
   * that must match the whole name. The alternatives go in requests of SELECTION_CHUNK each, to
   * keep a filter short; an empty selection asks nothing.
   */
  async listFirewallsNamed(selection: FirewallSelection): Promise<GcpFirewall[]> {
    const alternatives = [
      ...selection.stems.map(
        (stem) => `${checkedPart(stem, NAME_STEM, 'name stem (a name prefix ending in "-")')}.*`,
      ),
      ...selection.names.map((name) => checkedPart(name, RULE_NAME, "firewall rule name")),
    ];
    const { firewalls } = await this.clients();
    const rules: SdkFirewall[] = [];
    for (let at = 0; at < alternatives.length; at += SELECTION_CHUNK) {
      const filter = `name eq "(?:${alternatives.slice(at, at + SELECTION_CHUNK).join("|")})"`;
      rules.push(
        ...(await this.collect(`firewalls.list ${filter}`, () =>
          firewalls.listAsync({ project: this.project, filter }, PAGING),
        )),
      );
    }
    const unique = [...new Map(rules.map((rule) => [rule.name ?? "", rule])).values()];
    return this.unreadable.modelEach(
      unique,
      toFirewall,
      (rule) => `firewall rule ${this.project}/${rule.name ?? "(no name)"}`,
    );
  }

  /** projects.get's FIREWALLS quota; a project without one is a malformed answer, not an unlimited project. */
  async getFirewallQuota(): Promise<GcpFirewallQuota> {
    const { projects } = await this.clients();
    const [project] = await this.call("projects.get", () => projects.get({ project: this.project }));
    const quota = (project.quotas ?? []).find((q) => q.metric === "FIREWALLS");
    const { limit, usage } = quota ?? {};
    if (typeof limit !== "number" || typeof usage !== "number" || !(limit >= 0) || !(usage >= 0))
      throw new GcpApiError(
        `projects.get ${this.project}: no FIREWALLS quota with a limit and a usage in the answer`,
        "MalformedResponse",
        0,
      );
    return { limit, usage };
  }

  async insertFirewall(firewall: GcpFirewall): Promise<void> {
    const { firewalls } = await this.clients();
    const what = `firewalls.insert ${firewall.name}`;
    const request = {
      project: this.project,
      requestId: randomUUID(),
      firewallResource: toSdkFirewall(firewall),
    };
    const [handle] = await this.call(what, () => firewalls.insert(request));
    await this.awaitOperation(handle, what);
  }

  /**
   * firewalls.update (PUT), not firewalls.patch: the port replaces the rule, and a PATCH cannot
   * clear a field through this SDK, whose JSON encoder drops empty lists (a rule that loses its
   * last sourceTags would keep them: a wider rule than intended). PUT sets every field it is sent
   * and clears every field it is not.
   */
  async patchFirewall(firewall: GcpFirewall): Promise<void> {
    const { firewalls } = await this.clients();
    const what = `firewalls.update ${firewall.name}`;
    const request = {
      project: this.project,
      firewall: firewall.name,
      requestId: randomUUID(),
      firewallResource: toSdkFirewall(firewall),
    };
    const [handle] = await this.call(what, () => firewalls.update(request));
    await this.awaitOperation(handle, what);
  }

  async deleteFirewall(name: string): Promise<void> {
    const { firewalls } = await this.clients();
    const what = `firewalls.delete ${name}`;
    const request = { project: this.project, firewall: name, requestId: randomUUID() };
    const [handle] = await this.call(what, () => firewalls.delete(request));
    await this.awaitOperation(handle, what);
  }

  /**
   * projects.get first: a project that is no Shared VPC host has no service projects to list
   * (and getXpnResources is not documented for one). Resources other than projects are left out.
   */
  async getXpnResources(): Promise<string[]> {
    const { projects } = await this.clients();
    const request = { project: this.project };
    const [project] = await this.call("projects.get", () => projects.get(request));
    if (project.xpnProjectStatus !== "HOST" && project.xpnProjectStatus !== XPN_HOST_NUMBER) return [];
    const resources = await this.collect("projects.getXpnResources", () =>
      projects.getXpnResourcesAsync(request, PAGING),
    );
    return resources.flatMap((resource) =>
      (resource.type === "PROJECT" || resource.type === XPN_PROJECT_NUMBER) && resource.id
        ? [resource.id]
        : [],
    );
  }

  /** An empty Project when the project is attached to no host (the API's "may be empty"). */
  async getXpnHost(): Promise<string | undefined> {
    const { projects } = await this.clients();
    const [host] = await this.call("projects.getXpnHost", () =>
      projects.getXpnHost({ project: this.project }),
    );
    return host.name || undefined;
  }

  /** One call, retried while throttled (the requestId, fixed by the caller, makes a resend safe). */
  private call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    return withRetry(this.settings.retry, operation, send);
  }

  /**
   * Every item of a paged listing. Each page is retried on its own: gax's iterator keeps its
   * place when a page request throws, so `next()` again asks for the same page.
   */
  private async collect<T>(operation: string, iterate: () => AsyncIterable<T>): Promise<T[]> {
    const iterator = iterate()[Symbol.asyncIterator]();
    const items: T[] = [];
    for (;;) {
      const next = await this.call(operation, () => iterator.next());
      if (next.done) return items;
      items.push(next.value);
    }
  }

  /**
   * Until DONE, then its error if any. `wait` blocks for up to about two minutes
   * but may return early, even at once: a RUNNING answer is followed by a pause, not a busy loop.
   * The SDK resolves a mutation to a plain object, not an awaitable LROperation (no promise(),
   * and its `name` is the operation's id): the Operation itself is its latestResponse.
   */
  private async awaitOperation(handle: SdkOperationHandle, what: string, zone?: string): Promise<void> {
    let operation = operationOf(handle, what);
    const deadline = Date.now() + this.settings.operationTimeoutMs;
    const { zoneOperations, globalOperations } = await this.clients();
    while (!isDone(operation)) {
      const name = operation.name;
      if (!name)
        throw new GcpApiError(`${what} returned an operation without a name`, "MalformedResponse", 0);
      if (Date.now() >= deadline) {
        throw new GcpApiError(
          `${what}: operation ${name} is still ${operation.status ?? "pending"} after ${this.settings.operationTimeoutMs} ms`,
          "OperationTimeout",
          0,
        );
      }
      const wait =
        zone === undefined
          ? () => globalOperations.wait({ project: this.project, operation: name })
          : () => zoneOperations.wait({ project: this.project, zone, operation: name });
      [operation] = await this.call(
        `${zone === undefined ? "globalOperations" : "zoneOperations"}.wait ${name}`,
        wait,
      );
      if (!isDone(operation)) await sleep(this.settings.pollIntervalMs);
    }
    if ((operation.error?.errors?.length ?? 0) > 0) throw toOperationError(operation, what);
  }
}

function operationOf(handle: SdkOperationHandle, what: string): SdkOperation {
  const operation = handle.latestResponse;
  if (typeof operation !== "object" || operation === null) {
    throw new GcpApiError(`${what} returned no operation`, "MalformedResponse", 0);
  }
  return operation as SdkOperation;
}
