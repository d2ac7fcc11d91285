import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AzureEventError } from "../../../../lib/clouds/azure/ingest/errors.js";
import { parseAzureEvents, validationResponse } from "../../../../lib/clouds/azure/ingest/events.js";
import { WorkloadEventSchema } from "../../../../lib/ingest/workload-event.js";

/** The recorded events under test/fixtures (their sources: SOURCES.md there). */
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), "../../../fixtures/azure/events");

type Json = Record<string, unknown> & { data: Record<string, unknown> };

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(resolve(FIXTURES, name), "utf8"));
}

function firstOf(name: string): Json {
  return (fixture(name) as Json[])[0] as Json;
}

const SUB = "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f";
const RG = `/subscriptions/${SUB}/resourceGroups/rg-shop-prod/providers`;
const VM = `${RG}/Microsoft.Compute/virtualMachines/vm-web-1`;
const NIC = `${RG}/Microsoft.Network/networkInterfaces/vm-web-1-nic`;
const WORKLOAD = `azure:${SUB}:rg-shop-prod:vm-web-1`;

const write = () => firstOf("resource-write-success-vm.json");
const deallocate = () => firstOf("resource-action-success-vm-deallocate.json");

/** A copy of `event` with the value at `path` replaced, or removed when `value` is REMOVE. */
const REMOVE = Symbol("remove");
function patched(event: Json, path: readonly string[], value: unknown): Json {
  const copy = structuredClone(event);
  let parent: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  const last = path[path.length - 1] as string;
  if (value === REMOVE) delete parent[last];
  else parent[last] = value;
  return copy;
}

/** The write fixture, re-aimed at another operation and resource. */
function event(eventType: string, operationName: string, subject = VM, id = "e-1"): Json {
  const base = write();
  return { ...base, id, eventType, subject, data: { ...base.data, operationName, resourceUri: subject } };
}

function rejection(body: unknown): AzureEventError {
  try {
    parseAzureEvents(body);
  } catch (error) {
    expect(error).toBeInstanceOf(AzureEventError);
    return error as AzureEventError;
  }
  throw new Error("the delivery was accepted");
}

describe("resource events of the subscription topic", () => {
  it("parses the VM write fixture into a WorkloadEvent", () => {
    const result = parseAzureEvents(fixture("resource-write-success-vm.json"));
    expect(result).toEqual({
      kind: "events",
      events: [
        {
          cloud: "azure",
          eventId: "4db48cba-50a2-455a-93b4-de41a3b5b7f6",
          time: "2018-07-19T18:38:04.6117357Z",
          workloadId: WORKLOAD,
          change: { kind: "resource", action: "updated" },
        },
      ],
      nicChanges: [],
      ignored: 0,
    });
    if (result.kind === "events")
      expect(WorkloadEventSchema.parse(result.events[0])).toEqual(result.events[0]);
  });

  it("parses the VM deallocate fixture into a stop", () => {
    const result = parseAzureEvents(fixture("resource-action-success-vm-deallocate.json"));
    expect(result).toMatchObject({
      kind: "events",
      events: [
        {
          eventId: "3d1e2f4a-7b8c-4d9e-a0f1-b2c3d4e5f607",
          time: "2018-10-08T22:46:22.6022559Z",
          workloadId: WORKLOAD,
          change: { kind: "state", state: "stopped" },
        },
      ],
    });
  });

  it.each([
    [
      "ResourceWriteSuccess",
      "Microsoft.Compute/virtualMachines/write",
      VM,
      { kind: "resource", action: "updated" },
    ],
    [
      "ResourceDeleteSuccess",
      "Microsoft.Compute/virtualMachines/delete",
      VM,
      { kind: "state", state: "terminated" },
    ],
    [
      "ResourceActionSuccess",
      "Microsoft.Compute/virtualMachines/start/action",
      VM,
      { kind: "state", state: "running" },
    ],
    [
      "ResourceActionSuccess",
      "Microsoft.Compute/virtualMachines/restart/action",
      VM,
      { kind: "state", state: "running" },
    ],
    [
      "ResourceActionSuccess",
      "Microsoft.Compute/virtualMachines/deallocate/action",
      VM,
      { kind: "state", state: "stopped" },
    ],
    [
      "ResourceActionSuccess",
      "Microsoft.Compute/virtualMachines/powerOff/action",
      VM,
      { kind: "state", state: "stopped" },
    ],
    [
      "ResourceActionSuccess",
      "microsoft.compute/virtualmachines/poweroff/action",
      VM,
      { kind: "state", state: "stopped" },
    ],
    ["ResourceWriteSuccess", "Microsoft.Resources/tags/write", VM, { kind: "tags" }],
    [
      "ResourceWriteSuccess",
      "Microsoft.Resources/tags/write",
      `${VM}/providers/Microsoft.Resources/tags/default`,
      { kind: "tags" },
    ],
  ])("maps %s %s on %s", (type, operation, subject, change) => {
    const result = parseAzureEvents([event(`Microsoft.Resources.${type}`, operation, subject)]);
    expect(result).toEqual({
      kind: "events",
      events: [
        {
          cloud: "azure",
          eventId: "e-1",
          time: "2018-07-19T18:38:04.6117357Z",
          workloadId: WORKLOAD,
          change,
        },
      ],
      nicChanges: [],
      ignored: 0,
    });
  });

  it.each([
    ["ResourceWriteSuccess", "Microsoft.Network/networkInterfaces/write", NIC],
    ["ResourceDeleteSuccess", "Microsoft.Network/networkInterfaces/delete", NIC],
    [
      "ResourceWriteSuccess",
      "Microsoft.Resources/tags/write",
      `${NIC}/providers/Microsoft.Resources/tags/default`,
    ],
  ])("returns %s %s as a NIC change for the reconciler to resolve", (type, operation, subject) => {
    const delivered = event(`Microsoft.Resources.${type}`, operation, subject);
    expect(parseAzureEvents([delivered])).toEqual({
      kind: "events",
      events: [],
      nicChanges: [
        {
          subscription: SUB,
          resourceGroup: "rg-shop-prod",
          nicName: "vm-web-1-nic",
          eventId: "e-1",
          time: write().eventTime,
        },
      ],
      ignored: 0,
    });
  });

  it("counts valid events that segsync has nothing to do with, among the ones it has", () => {
    const storage = `${RG}/Microsoft.Storage/storageAccounts/shopdata`;
    const body = [
      event(
        "Microsoft.Resources.ResourceActionSuccess",
        "Microsoft.Compute/virtualMachines/start/action",
        VM,
        "a",
      ),
      event(
        "Microsoft.Resources.ResourceWriteSuccess",
        "Microsoft.Storage/storageAccounts/write",
        storage,
        "b",
      ),
      event(
        "Microsoft.Resources.ResourceWriteSuccess",
        "Microsoft.Compute/virtualMachines/extensions/write",
        `${VM}/extensions/agent`,
        "c",
      ),
      event("Microsoft.Resources.ResourceWriteFailure", "Microsoft.Compute/virtualMachines/write", VM, "d"),
      event(
        "Microsoft.Resources.ResourceActionCancel",
        "Microsoft.Compute/virtualMachines/deallocate/action",
        VM,
        "e",
      ),
      event(
        "Microsoft.Resources.ResourceWriteSuccess",
        "Microsoft.Resources/tags/write",
        `${storage}/providers/Microsoft.Resources/tags/default`,
        "f",
      ),
      event(
        "Microsoft.Resources.ResourceWriteSuccess",
        "Microsoft.Resources/deployments/write",
        `/subscriptions/${SUB}/resourceGroups/rg-shop-prod`,
        "g",
      ),
      { ...write(), id: "h", eventType: "Microsoft.EventGrid.SubscriptionDeletedEvent", data: {} },
      event(
        "Microsoft.Resources.ResourceDeleteSuccess",
        "Microsoft.Network/networkInterfaces/delete",
        NIC,
        "i",
      ),
    ];
    const result = parseAzureEvents(body);
    expect(result).toMatchObject({
      kind: "events",
      events: [{ eventId: "a", change: { kind: "state", state: "running" } }],
      nicChanges: [{ eventId: "i" }],
      ignored: 7,
    });
  });

  it("takes the subscription id in any case and names the workload in lowercase", () => {
    const upper = SUB.toUpperCase();
    const input = patched(
      patched(write(), ["topic"], `/subscriptions/${upper}`),
      ["data", "subscriptionId"],
      upper,
    );
    const subject = VM.replace(SUB, upper);
    const shouted = { ...input, subject, data: { ...input.data, resourceUri: subject } };
    expect(parseAzureEvents([shouted])).toMatchObject({ events: [{ workloadId: WORKLOAD }] });
  });
});

describe("the subscription validation handshake", () => {
  it("answers with the validation code, as the fixture response", () => {
    expect(validationResponse(fixture("subscription-validation.json"))).toEqual(
      fixture("subscription-validation-response.json"),
    );
    expect(parseAzureEvents(fixture("subscription-validation.json"))).toEqual({
      kind: "validation",
      validationCode: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6",
      validationUrl:
        "https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/estest/validate?id=512d38b6-c7b8-40c8-89fe-f46f9e9622b6&t=2018-04-26T20:30:54.4538837Z&apiVersion=2018-05-01-preview&token=1A1A1A1A",
    });
  });

  it("accepts a handshake without a validation URL (synchronous only)", () => {
    const [handshake] = fixture("subscription-validation.json") as Json[];
    const input = patched(handshake as Json, ["data", "validationUrl"], REMOVE);
    expect(parseAzureEvents([input])).toEqual({
      kind: "validation",
      validationCode: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6",
    });
  });

  it.each([
    ["a missing code", ["data", "validationCode"], REMOVE, "[0].data.validationCode:"],
    ["an empty code", ["data", "validationCode"], "", "[0].data.validationCode: must not be empty"],
    [
      "a plain-http validation URL",
      ["data", "validationUrl"],
      "http://example.com/validate",
      "[0].data.validationUrl: not an https URL",
    ],
  ] as const)("rejects a handshake with %s", (_, path, value, message) => {
    const [handshake] = fixture("subscription-validation.json") as Json[];
    expect(rejection([patched(handshake as Json, path, value)]).message).toContain(message);
  });

  it("rejects a handshake that does not come alone, and answers no handshake for events", () => {
    const [handshake] = fixture("subscription-validation.json") as Json[];
    expect(rejection([write(), handshake]).message).toContain(
      "[1].eventType: a Microsoft.EventGrid.SubscriptionValidationEvent comes alone in its delivery",
    );
    expect(() => validationResponse([write()])).toThrow(
      /not a Microsoft\.EventGrid\.SubscriptionValidationEvent handshake/,
    );
  });
});

describe("malformed and forged deliveries", () => {
  it.each([
    ["an object instead of an array", write(), "(the body): expected an array of Event Grid events"],
    ["an empty array", [], "(the body): a delivery holds 1 to 5000 events, not 0"],
    ["a string", "[]", "(the body): expected an array"],
    ["an element that is no object", [42], "[0]:"],
    ["an event without eventType", [patched(write(), ["eventType"], REMOVE)], "[0].eventType: missing"],
  ])("rejects %s", (_, body, message) => {
    const error = rejection(body);
    expect(error.message).toContain(message);
    expect(error.message).toMatch(/^Azure event rejected: /);
  });

  it.each([
    [
      "another topic's event type",
      ["eventType"],
      "Microsoft.Storage.BlobCreated",
      '[0].eventType: "Microsoft.Storage.BlobCreated" is not an event of an Azure subscription topic',
    ],
    ["a bad eventTime", ["eventTime"], "yesterday", "[0].eventTime: not an ISO 8601 time"],
    ["an empty id", ["id"], "", "[0].id: must not be empty"],
    ["a missing data", ["data"], REMOVE, "[0].data:"],
    ["a missing operationName", ["data", "operationName"], REMOVE, "[0].data.operationName:"],
    [
      "a topic that is no subscription",
      ["topic"],
      "/subscriptions/x/resourceGroups/y",
      "[0].topic: not the topic of an Azure subscription",
    ],
    [
      "a topic without a subscription id",
      ["topic"],
      "/subscriptions/not-a-guid",
      '[0].topic: "/subscriptions/not-a-guid" does not name a subscription id',
    ],
    [
      "a subscriptionId that is no GUID",
      ["data", "subscriptionId"],
      "nope",
      "[0].data.subscriptionId: not a subscription id",
    ],
    [
      "data from another subscription",
      ["data", "subscriptionId"],
      "00000000-0000-0000-0000-000000000000",
      "[0].data.subscriptionId: is 00000000-0000-0000-0000-000000000000, but the topic is",
    ],
    [
      "a subject that is not data.resourceUri",
      ["subject"],
      VM.replace("vm-web-1", "vm-web-2"),
      "[0].subject: is",
    ],
    ["another metadataVersion", ["metadataVersion"], "2", "[0].metadataVersion:"],
    ["a subject that is no resource id", ["subject"], "vm-web-1", "[0].subject: not an Azure resource id"],
  ] as const)("rejects %s, naming where", (_, path, value, message) => {
    expect(rejection([patched(write(), path, value)]).message).toContain(message);
  });

  it("rejects a subject in another subscription than the topic", () => {
    const elsewhere = VM.replace(SUB, "00000000-0000-0000-0000-000000000000");
    const input = { ...write(), subject: elsewhere, data: { ...write().data, resourceUri: elsewhere } };
    expect(rejection([input]).message).toContain(
      `[0].subject: "${elsewhere}" is in another subscription than the topic`,
    );
  });

  it("rejects an event type that does not go with its operation", () => {
    const input = event(
      "Microsoft.Resources.ResourceWriteSuccess",
      "Microsoft.Compute/virtualMachines/deallocate/action",
    );
    expect(rejection([input]).message).toContain(
      "[0].eventType: Microsoft.Resources.ResourceWriteSuccess does not go with data.operationName Microsoft.Compute/virtualMachines/deallocate/action",
    );
  });

  it("rejects a VM operation on something that is no VM, and a NIC operation on a VM", () => {
    const onNic = event(
      "Microsoft.Resources.ResourceActionSuccess",
      "Microsoft.Compute/virtualMachines/start/action",
      NIC,
    );
    expect(rejection([onNic]).message).toContain(`[0].subject: "${NIC}" is not a virtual machine`);
    const onVm = event(
      "Microsoft.Resources.ResourceWriteSuccess",
      "Microsoft.Network/networkInterfaces/write",
      VM,
    );
    expect(rejection([onVm]).message).toContain(`[0].subject: "${VM}" is not a network interface`);
    const onTags = event(
      "Microsoft.Resources.ResourceWriteSuccess",
      "Microsoft.Compute/virtualMachines/write",
      `${VM}/providers/Microsoft.Resources/tags/default`,
    );
    expect(rejection([onTags]).message).toContain("is not a virtual machine");
  });

  it("rejects a VM whose names cannot form a workload id", () => {
    const odd = VM.replace("vm-web-1", "vm web 1");
    const input = event(
      "Microsoft.Resources.ResourceWriteSuccess",
      "Microsoft.Compute/virtualMachines/write",
      odd,
    );
    expect(rejection([input]).message).toContain('[0].subject: "azure:');
    expect(rejection([input]).message).toContain('vmName "vm web 1"');
  });

  it("rejects the whole delivery for one bad event, naming its index", () => {
    const error = rejection([write(), patched(deallocate(), ["eventTime"], "soon")]);
    expect(error.issues).toEqual(["[1].eventTime: not an ISO 8601 time"]);
  });
});
