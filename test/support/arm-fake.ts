import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { bearerTokenAuthenticationPolicyName, type Pipeline } from "@azure/core-rest-pipeline";
import { checkDelete, checkPut, normalizeLocation } from "./arm-fake-checks.js";
import {
  type ArmResource,
  COMPUTE_API_VERSION,
  NETWORK_API_VERSION,
  resourceFromPut,
  sameId,
  vmModel,
  vmStatusOnly,
  withProvisioningState,
} from "./arm-fake-resources.js";

export type { ArmResource } from "./arm-fake-resources.js";

/** One request as the fake received it. */
export interface ArmFakeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly ifMatch?: string;
  readonly at: number;
  status: number;
}

/** An error answer for the next requests (of one method, when given). */
export interface InjectedFailure {
  readonly status: number;
  readonly code: string;
  readonly message?: string;
  readonly retryAfter?: string;
  readonly method?: string;
}

interface Operation {
  polls: number;
  readonly resourceId?: string;
  readonly failure?: { code: string; message: string };
}

interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

const LIST = /^\/subscriptions\/([^/]+)\/providers\/(Microsoft\.\w+)\/(\w+)$/i;
const RESOURCE =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/(Microsoft\.\w+)\/(\w+)\/([^/]+)$/i;
const OPERATION =
  /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Network\/locations\/[^/]+\/(operations|operationResults)\/([^/]+)$/i;
const WRITABLE = new Set(["networksecuritygroups", "applicationsecuritygroups", "networkinterfaces"]);

function armError(status: number, code: string, message: string, headers?: Record<string, string>): Answer {
  return { status, body: { error: { code, message } }, ...(headers ? { headers } : {}) };
}

/**
 * A small in-memory ARM on a free loopback port, serving the exact paths and api-versions the
 * SDK clients call: listings with nextLink paging, GET/PUT/DELETE of NSGs, ASGs and NICs with
 * long-running operations (Azure-AsyncOperation polls), If-Match (412), VMs with instance views,
 * and injected failures (429 with or without Retry-After, …).
 */
export class ArmFake {
  readonly requests: ArmFakeRequest[] = [];
  pageSize = 2;
  /** Polls answered InProgress before the operation ends. */
  pollsInProgress = 1;
  /** Writes take effect but answer 500, as when ARM's response is lost on the way. */
  loseWriteResponses = false;
  private readonly resources = new Map<string, ArmResource>();
  private readonly operations = new Map<string, Operation>();
  private failures: { remaining: number; failure: InjectedFailure }[] = [];
  /** Recorded GET bodies by `<path, lowercase>|<statusOnly>`, one per page. */
  private readonly recorded = new Map<string, readonly unknown[]>();
  private nextOperationFailure: { code: string; message: string } | undefined;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    readonly token: string,
  ) {}

  static async start(token = `fake-token-${randomUUID()}`): Promise<ArmFake> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const fake = new ArmFake(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token);
    server.on("request", (request, response) => fake.handle(request, response));
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  reset(): void {
    this.requests.length = 0;
    this.resources.clear();
    this.operations.clear();
    this.failures = [];
    this.recorded.clear();
    this.nextOperationFailure = undefined;
    this.pageSize = 2;
    this.pollsInProgress = 1;
    this.loseWriteResponses = false;
  }

  seed(...resources: ArmResource[]): void {
    for (const resource of resources)
      this.resources.set(resource.id.toLowerCase(), structuredClone(resource));
  }

  resource(id: string): ArmResource | undefined {
    return this.resources.get(id.toLowerCase());
  }

  /**
   * Answers GETs of this path with recorded ARM bodies, as they were: one body is the whole
   * answer; several are pages, each but the last given a nextLink (`$skiptoken`) to the next.
   * `statusOnly` answers `?statusOnly=true` listings only (VM instance views), else only the rest.
   */
  serveRecorded(path: string, pages: readonly unknown[], options: { statusOnly?: boolean } = {}): void {
    this.recorded.set(`${path.toLowerCase()}|${options.statusOnly === true}`, structuredClone(pages));
  }

  failNext(count: number, failure: InjectedFailure): void {
    this.failures.push({ remaining: count, failure });
  }

  /** Forgets the failures injected by failNext that are still to come. */
  stopFailing(): void {
    this.failures = [];
  }

  /** The next long-running operation ends Failed with this ARM error. */
  failNextOperation(code: string, message: string): void {
    this.nextOperationFailure = { code, message };
  }

  /** A pipeline hook: the SDK's bearer policy refuses http, so sign here and allow http. */
  pipelineHook(token = this.token): (pipeline: Pipeline) => void {
    return (pipeline) => {
      pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
      pipeline.addPolicy(
        {
          name: "armFakeBearerOverHttp",
          sendRequest(request, next) {
            request.headers.set("authorization", `Bearer ${token}`);
            request.allowInsecureConnection = true;
            return next(request);
          },
        },
        { phase: "Sign" },
      );
    };
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", this.endpoint);
      const ifMatch = request.headers["if-match"];
      const record: ArmFakeRequest = {
        method: request.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        ...(typeof ifMatch === "string" ? { ifMatch } : {}),
        at: Date.now(),
        status: 0,
      };
      this.requests.push(record);
      const answer = this.withLostResponse(
        record,
        this.answer(record, request.headers.authorization, Buffer.concat(chunks).toString("utf8")),
      );
      record.status = answer.status;
      response.writeHead(answer.status, {
        "content-type": "application/json; charset=utf-8",
        "x-ms-request-id": randomUUID(),
        ...answer.headers,
      });
      response.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
    });
  }

  private answer(request: ArmFakeRequest, authorization: string | undefined, body: string): Answer {
    if (authorization !== `Bearer ${this.token}`) {
      return armError(401, "InvalidAuthenticationToken", "The access token is invalid.");
    }
    const injected = this.takeFailure(request.method);
    if (injected) {
      const headers = injected.retryAfter === undefined ? undefined : { "retry-after": injected.retryAfter };
      return armError(
        injected.status,
        injected.code,
        injected.message ?? `${injected.code} (injected)`,
        headers,
      );
    }
    const recorded = request.method === "GET" ? this.recordedAnswer(request) : undefined;
    if (recorded) return recorded;
    const operation = OPERATION.exec(request.path);
    if (operation) return this.poll(operation[1] ?? "", operation[2] ?? "");
    const list = LIST.exec(request.path);
    if (list && request.method === "GET") return this.list(request, list);
    const resource = RESOURCE.exec(request.path);
    if (resource) return this.resourceRequest(request, resource, body);
    return armError(404, "InvalidResourceType", `no route for ${request.method} ${request.path}`);
  }

  private withLostResponse(request: ArmFakeRequest, answer: Answer): Answer {
    const write = request.method === "PUT" || request.method === "DELETE";
    if (!this.loseWriteResponses || !write || answer.status >= 300) return answer;
    return armError(500, "InternalServerError", "An error occurred.");
  }

  private recordedAnswer(request: ArmFakeRequest): Answer | undefined {
    const statusOnly = request.query.get("statusOnly") === "true";
    const pages = this.recorded.get(`${request.path.toLowerCase()}|${statusOnly}`);
    if (pages === undefined) return undefined;
    const index = Number(request.query.get("$skiptoken") ?? "0");
    const page = pages[index];
    if (page === undefined) return armError(400, "InvalidSkipToken", `no recorded page ${index}`);
    if (index + 1 >= pages.length) return { status: 200, body: page };
    const next = new URL(request.path, this.endpoint);
    next.searchParams.set("api-version", request.query.get("api-version") ?? "");
    if (statusOnly) next.searchParams.set("statusOnly", "true");
    next.searchParams.set("$skiptoken", String(index + 1));
    return { status: 200, body: { ...(page as object), nextLink: next.toString() } };
  }

  private takeFailure(method: string): InjectedFailure | undefined {
    const entry = this.failures.find(
      (candidate) => candidate.failure.method === undefined || candidate.failure.method === method,
    );
    if (entry === undefined) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.failures = this.failures.filter((candidate) => candidate !== entry);
    return entry.failure;
  }

  private apiVersionError(request: ArmFakeRequest, provider: string): Answer | undefined {
    const expected =
      provider.toLowerCase() === "microsoft.compute" ? COMPUTE_API_VERSION : NETWORK_API_VERSION;
    const actual = request.query.get("api-version");
    if (actual === expected) return undefined;
    return armError(400, "InvalidApiVersionParameter", `api-version ${actual} is not ${expected}`);
  }

  private list(
    request: ArmFakeRequest,
    [, subscription = "", provider = "", type = ""]: RegExpExecArray,
  ): Answer {
    const invalid = this.apiVersionError(request, provider);
    if (invalid) return invalid;
    const prefix = `/subscriptions/${subscription}/`.toLowerCase();
    const fullType = `${provider}/${type}`.toLowerCase();
    const statusOnly = request.query.get("statusOnly") === "true";
    const all = [...this.resources.values()]
      .filter(
        (resource) =>
          resource.id.toLowerCase().startsWith(prefix) && resource.type.toLowerCase() === fullType,
      )
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((resource) => this.view(resource, { statusOnly, expandInstanceView: false }));
    const skip = Number(request.query.get("$skiptoken") ?? "0");
    const value = all.slice(skip, skip + this.pageSize);
    if (skip + this.pageSize >= all.length) return { status: 200, body: { value } };
    const next = new URL(request.path, this.endpoint);
    next.searchParams.set("api-version", request.query.get("api-version") ?? "");
    if (statusOnly) next.searchParams.set("statusOnly", "true");
    next.searchParams.set("$skiptoken", String(skip + this.pageSize));
    return { status: 200, body: { value, nextLink: next.toString() } };
  }

  /** What a GET shows: VMs without instance view unless asked; NSGs with the NICs that reference them. */
  private view(
    resource: ArmResource,
    options: { statusOnly: boolean; expandInstanceView: boolean },
  ): ArmResource {
    if (resource.type === "Microsoft.Compute/virtualMachines") {
      if (options.statusOnly) return vmStatusOnly(resource);
      return options.expandInstanceView ? resource : vmModel(resource);
    }
    if (resource.type === "Microsoft.Network/networkSecurityGroups") {
      const networkInterfaces = [...this.resources.values()]
        .filter((nic) => {
          const nsg = nic.properties?.networkSecurityGroup as { id?: unknown } | undefined;
          return nic.type === "Microsoft.Network/networkInterfaces" && sameId(nsg?.id, resource.id);
        })
        .map((nic) => ({ id: nic.id }));
      // ARM leaves the read-only list out while no NIC uses the NSG (test/fixtures/azure/arm).
      if (networkInterfaces.length === 0) return resource;
      return { ...resource, properties: { ...resource.properties, networkInterfaces } };
    }
    return resource;
  }

  private resourceRequest(request: ArmFakeRequest, match: RegExpExecArray, body: string): Answer {
    const [, subscription = "", resourceGroup = "", provider = "", type = "", name = ""] = match;
    const invalid = this.apiVersionError(request, provider);
    if (invalid) return invalid;
    const id = `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/${provider}/${type}/${name}`;
    const existing = this.resources.get(id.toLowerCase());
    if (request.method === "GET") {
      if (existing === undefined)
        return armError(404, "ResourceNotFound", `The Resource '${provider}/${type}/${name}' was not found.`);
      return {
        status: 200,
        body: this.view(existing, {
          statusOnly: false,
          expandInstanceView: request.query.get("$expand") === "instanceView",
        }),
      };
    }
    if (!WRITABLE.has(type.toLowerCase()))
      return armError(405, "MethodNotAllowed", `${request.method} ${type}`);
    if (request.method === "PUT")
      return this.put(request, { id, subscription, provider, type, name }, existing, body);
    if (request.method === "DELETE") return this.delete(id, subscription, existing);
    return armError(405, "MethodNotAllowed", request.method);
  }

  private put(
    request: ArmFakeRequest,
    target: { id: string; subscription: string; provider: string; type: string; name: string },
    existing: ArmResource | undefined,
    body: string,
  ): Answer {
    // `If-Match: *` asks for the resource to exist: a conditional PUT never creates.
    const matches =
      request.ifMatch === undefined ||
      (existing !== undefined && (request.ifMatch === "*" || request.ifMatch === existing.etag));
    if (!matches) {
      return armError(
        412,
        "PreconditionFailed",
        "The condition specified using HTTP conditional header(s) is not met.",
      );
    }
    const parsed = JSON.parse(body) as Partial<ArmResource>;
    parsed.location = normalizeLocation(parsed.location);
    const refused = checkPut({
      id: target.id,
      type: `${target.provider}/${target.type}`,
      location: parsed.location,
      tags: parsed.tags ?? {},
      existing,
      properties: parsed.properties ?? {},
      resources: [...this.resources.values()],
    });
    if (refused) return armError(refused.status, refused.code, refused.message);
    const resource = resourceFromPut(
      target.id,
      target.name,
      `${target.provider}/${target.type}`,
      parsed,
      existing,
    );
    this.resources.set(target.id.toLowerCase(), resource);
    return {
      status: existing === undefined ? 201 : 200,
      body: this.view(resource, { statusOnly: false, expandInstanceView: false }),
      headers: this.startOperation(target.subscription, resource.location ?? "westeurope", target.id),
    };
  }

  private delete(id: string, subscription: string, existing: ArmResource | undefined): Answer {
    if (existing === undefined) return { status: 204 };
    const refused = checkDelete(existing, [...this.resources.values()]);
    if (refused) return armError(refused.status, refused.code, refused.message);
    this.resources.delete(id.toLowerCase());
    return {
      status: 202,
      headers: this.startOperation(subscription, existing.location ?? "westeurope", undefined),
    };
  }

  private startOperation(
    subscription: string,
    location: string,
    resourceId: string | undefined,
  ): Record<string, string> {
    const operationId = randomUUID();
    this.operations.set(operationId, {
      polls: 0,
      ...(resourceId === undefined ? {} : { resourceId }),
      ...(this.nextOperationFailure === undefined ? {} : { failure: this.nextOperationFailure }),
    });
    this.nextOperationFailure = undefined;
    const base = `${this.endpoint}/subscriptions/${subscription}/providers/Microsoft.Network/locations/${location}`;
    return {
      "azure-asyncoperation": `${base}/operations/${operationId}?api-version=${NETWORK_API_VERSION}`,
      location: `${base}/operationResults/${operationId}?api-version=${NETWORK_API_VERSION}`,
    };
  }

  private poll(kind: string, operationId: string): Answer {
    const operation = this.operations.get(operationId);
    if (operation === undefined) return armError(404, "NotFound", `operation ${operationId}`);
    if (kind.toLowerCase() === "operationresults") return { status: 204 };
    operation.polls += 1;
    if (operation.polls <= this.pollsInProgress) return { status: 200, body: { status: "InProgress" } };
    const state = operation.failure === undefined ? "Succeeded" : "Failed";
    const resource = operation.resourceId === undefined ? undefined : this.resource(operation.resourceId);
    if (resource !== undefined) this.seed(withProvisioningState(resource, state));
    return {
      status: 200,
      body: { status: state, ...(operation.failure ? { error: operation.failure } : {}) },
    };
  }
}
