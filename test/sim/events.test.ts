import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAwsEvent } from "../../lib/clouds/aws/ingest/events.js";
import { parseAzureEvents } from "../../lib/clouds/azure/ingest/events.js";
import { parseGcpPush } from "../../lib/clouds/gcp/ingest/events.js";
import type { WorkloadEvent } from "../../lib/ingest/workload-event.js";
import { applyStep, type CloudStep, type NativeEvent, STEP_INTERVAL_MS } from "../../sim/scenario.js";
import { SimulatedClouds } from "../../sim/simulated-clouds.js";
import {
  AWS_VPC,
  AWS_WEB,
  AZURE_API,
  AZURE_VNET,
  estateOf,
  GCP_DB,
  GCP_NET,
  REPO_ROOT,
  SMALL_ESTATE,
} from "./fixtures.js";

type Change = WorkloadEvent["change"];

/** Each native event through the parser of its cloud: the WorkloadEvent, or null for a GCP first entry. */
function parsed(event: NativeEvent): WorkloadEvent | null {
  if (event.cloud === "aws") return parseAwsEvent(event.body);
  if (event.cloud === "azure") {
    const result = parseAzureEvents(event.body);
    if (result.kind !== "events" || result.events.length !== 1) throw new Error("expected one Azure event");
    return result.events[0] ?? null;
  }
  const result = parseGcpPush(event.body);
  return result.kind === "event" ? result.event : null;
}

function changes(events: readonly NativeEvent[]): ([string, Change] | null)[] {
  return events.map((event) => {
    const workload = parsed(event);
    return workload === null ? null : [workload.workloadId, workload.change];
  });
}

const state = (value: Extract<Change, { kind: "state" }>["state"]): Change => ({
  kind: "state",
  state: value,
});
const UPDATED: Change = { kind: "resource", action: "updated" };
const NEW_TAGS = { "seg-app": "shop", "seg-role": "batch" };

const AWS_NEW = "aws:111111111111:us-east-1:i-0a0000000000000f1";
const AZURE_NEW = "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-shop:vm-new-1";
const GCP_NEW = "gcp:shop-prod:us-central1-b:new-1";

interface RoundTrip {
  readonly step: CloudStep;
  readonly expected: readonly ([string, Change] | null)[];
}

const ROUND_TRIPS: Readonly<Record<string, RoundTrip>> = {
  "aws launch": {
    step: { launch: { id: AWS_NEW, network: AWS_VPC, privateIp: "10.1.0.50", tags: { "seg-app": "shop" } } },
    expected: [
      [AWS_NEW, state("pending")],
      [AWS_NEW, state("running")],
    ],
  },
  "aws retag": {
    step: { retag: { id: AWS_WEB, tags: NEW_TAGS } },
    expected: [[AWS_WEB, { kind: "tags", tags: NEW_TAGS }]],
  },
  "aws stop": {
    step: { stop: { id: AWS_WEB } },
    expected: [
      [AWS_WEB, state("stopping")],
      [AWS_WEB, state("stopped")],
    ],
  },
  "aws terminate": {
    step: { terminate: { id: AWS_WEB } },
    expected: [
      [AWS_WEB, state("terminating")],
      [AWS_WEB, state("terminated")],
    ],
  },
  "azure launch": {
    step: {
      launch: { id: AZURE_NEW, network: AZURE_VNET, privateIp: "10.2.0.50", tags: { "seg-app": "shop" } },
    },
    expected: [[AZURE_NEW, UPDATED]],
  },
  "azure retag": { step: { retag: { id: AZURE_API, tags: NEW_TAGS } }, expected: [[AZURE_API, UPDATED]] },
  "azure stop": { step: { stop: { id: AZURE_API } }, expected: [[AZURE_API, state("stopped")]] },
  "azure terminate": { step: { terminate: { id: AZURE_API } }, expected: [[AZURE_API, state("terminated")]] },
  "gcp launch": {
    step: { launch: { id: GCP_NEW, network: GCP_NET, privateIp: "10.3.0.50", tags: { "seg-app": "shop" } } },
    expected: [null, [GCP_NEW, { kind: "resource", action: "created" }]],
  },
  "gcp retag": {
    step: { retag: { id: GCP_DB, tags: NEW_TAGS } },
    expected: [null, [GCP_DB, { kind: "tags" }]],
  },
  "gcp stop": { step: { stop: { id: GCP_DB } }, expected: [null, [GCP_DB, state("stopped")]] },
  "gcp terminate": { step: { terminate: { id: GCP_DB } }, expected: [null, [GCP_DB, state("terminated")]] },
};

describe("every step's events go through the real parsers", () => {
  it.each(Object.entries(ROUND_TRIPS))("%s", (_, trip) => {
    const clouds = SimulatedClouds.fromEstate(estateOf(SMALL_ESTATE));
    expect(changes(applyStep(clouds, trip.step))).toEqual(trip.expected);
  });

  it.each([
    ["aws", AWS_WEB, [state("pending"), state("running")]],
    ["azure", AZURE_API, [state("running")]],
    ["gcp", GCP_DB, [null, state("running")]],
  ] as const)("%s start", (_, id, expected) => {
    const clouds = SimulatedClouds.fromEstate(estateOf(SMALL_ESTATE));
    applyStep(clouds, { stop: { id } });
    expect(changes(applyStep(clouds, { start: { id } }))).toEqual(
      expected.map((c) => (c === null ? null : [id, c])),
    );
  });

  it.each([
    ["aws to azure", AWS_WEB, { id: AZURE_NEW, network: AZURE_VNET, privateIp: "10.2.0.50" }],
    ["azure to gcp", AZURE_API, { id: GCP_NEW, network: GCP_NET, privateIp: "10.3.0.50" }],
    ["gcp to aws", GCP_DB, { id: AWS_NEW, network: AWS_VPC, privateIp: "10.1.0.50" }],
  ] as const)("migrate %s: the old one's end, then the new one's launch, with its tags", (_, from, to) => {
    const clouds = SimulatedClouds.fromEstate(estateOf(SMALL_ESTATE));
    const tags = clouds.workload(from)?.tags;
    const events = applyStep(clouds, { migrate: { from, to } });
    const ids = changes(events).flatMap((c) => (c === null ? [] : [c[0]]));
    expect(ids[0]).toBe(from);
    expect(ids.at(-1)).toBe(to.id);
    expect(ids.filter((id) => id === from).length + ids.filter((id) => id === to.id).length).toBe(ids.length);
    expect(clouds.workload(from)).toBeUndefined();
    expect(clouds.workload(to.id)?.tags).toEqual(tags);
  });
});

describe("the events' shapes", () => {
  const fixture = (path: string): unknown =>
    JSON.parse(readFileSync(join(REPO_ROOT, "test", "fixtures", path), "utf8"));
  const keys = (value: unknown): string[] => Object.keys(value as object).sort();

  it("AWS events have the fields of EventBridge's samples", () => {
    const clouds = SimulatedClouds.fromEstate(estateOf(SMALL_ESTATE));
    const [stopping] = applyStep(clouds, { stop: { id: AWS_WEB } });
    const [tagged] = applyStep(clouds, { retag: { id: AWS_WEB, tags: NEW_TAGS } });
    expect(keys(stopping?.body)).toEqual(
      keys({ version: "0", ...(fixture("aws/events/ec2-instance-state-change-pending.json") as object) }),
    );
    const tagFixture = fixture("aws/events/tag-change-on-resource-instance.json") as { detail: object };
    expect(keys(tagged?.body)).toEqual(keys(tagFixture));
    if (tagged?.cloud !== "aws") throw new Error("expected an AWS event");
    const { detail } = tagged.body;
    expect(keys(detail)).toEqual(keys(tagFixture.detail));
    expect(detail).toEqual({
      "changed-tag-keys": ["Name", "seg-role"],
      tags: NEW_TAGS,
      service: "ec2",
      "resource-type": "instance",
      version: 2,
    });
  });

  it("Azure events have the fields of Event Grid's samples, httpRequest only for an existing resource", () => {
    const clouds = SimulatedClouds.fromEstate(estateOf(SMALL_ESTATE));
    const [write] = fixture("azure/events/resource-write-success-vm.json") as [{ data: object }];
    const [update] = applyStep(clouds, { retag: { id: AZURE_API, tags: NEW_TAGS } });
    const [created] = applyStep(clouds, {
      launch: { id: AZURE_NEW, network: AZURE_VNET, privateIp: "10.2.0.50", tags: {} },
    });
    const [action] = applyStep(clouds, { stop: { id: AZURE_API } });
    const body = (event: NativeEvent | undefined) => {
      if (event?.cloud !== "azure" || event.body[0] === undefined) throw new Error("expected an Azure event");
      return event.body[0];
    };
    expect(keys(body(update))).toEqual(keys(write));
    expect(keys(body(update).data)).toEqual(keys(write.data));
    expect(body(update).data.httpRequest).toMatchObject({ method: "PUT" });
    expect(body(created).data.httpRequest).toBeUndefined();
    expect(body(action).data.httpRequest).toMatchObject({
      method: "POST",
      url: expect.stringMatching(/\/virtualMachines\/vm-api-1\/deallocate\?api-version=/),
    });
  });

  it("GCP pushes wrap audit LogEntries with the fields of the sample, first and last of one operation", () => {
    const clouds = SimulatedClouds.fromEstate(estateOf(SMALL_ESTATE));
    const pushes = applyStep(clouds, { stop: { id: GCP_DB } });
    const envelope = fixture("gcp/pubsub/push-envelope.json") as { message: object };
    const sample = fixture("gcp/audit/shared-stop-first.json") as { protoPayload: object };
    const entries = pushes.map((push) => {
      const body = push.body as { message: { data: string } };
      expect(keys(body)).toEqual(keys(envelope));
      expect(keys(body.message)).toEqual(keys(envelope.message));
      return JSON.parse(Buffer.from(body.message.data, "base64").toString("utf8"));
    });
    expect(keys(entries[0])).toEqual(keys(sample));
    expect(keys(entries[0].protoPayload)).toEqual(keys(sample.protoPayload));
    expect(entries.map((e) => e.operation)).toEqual([
      expect.objectContaining({ first: true }),
      expect.objectContaining({ last: true }),
    ]);
    expect(entries[0].operation.id).toBe(entries[1].operation.id);
    const instanceId = clouds
      .gcp("shop-prod")
      .state()
      .instances.find((i) => i.name === "db-1")?.id;
    expect(entries[0].resource.labels.instance_id).toBe(instanceId);
    expect(entries[0].protoPayload.response.targetId).toBe(instanceId);
  });
});

describe("event ids and times", () => {
  const run = (seed: string) => {
    const clouds = SimulatedClouds.fromEstate(estateOf(SMALL_ESTATE), {
      eventSeed: seed,
      startTime: "2030-05-01T12:00:00Z",
    });
    return [AWS_WEB, AZURE_API, GCP_DB].flatMap((id) => applyStep(clouds, { stop: { id } }));
  };

  it("are the same for the same seed and differ for another", () => {
    expect(JSON.stringify(run("a"))).toBe(JSON.stringify(run("a")));
    const ids = (events: NativeEvent[]) => events.map((e) => parsed(e)?.eventId);
    expect(ids(run("a"))).not.toEqual(ids(run("b")));
    const all = ids(run("a")).filter((id) => id !== undefined);
    expect(new Set(all).size).toBe(all.length);
  });

  it("come from a clock that moves a step interval per step and a second per event", () => {
    const times = run("a").flatMap((e) => {
      const event = parsed(e);
      return event === null ? [] : [Date.parse(event.time)];
    });
    const start = Date.parse("2030-05-01T12:00:00Z");
    expect(times).toEqual([
      start + STEP_INTERVAL_MS,
      start + STEP_INTERVAL_MS + 1000,
      start + 2 * STEP_INTERVAL_MS + 2000,
      start + 3 * STEP_INTERVAL_MS + 4000,
    ]);
  });
});
