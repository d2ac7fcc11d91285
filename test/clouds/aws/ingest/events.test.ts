import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AwsEventError } from "../../../../lib/clouds/aws/ingest/errors.js";
import { parseAwsEvent } from "../../../../lib/clouds/aws/ingest/events.js";
import { WorkloadEventSchema } from "../../../../lib/ingest/workload-event.js";

/** The recorded events under test/fixtures (their sources: SOURCES.md there). */
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), "../../../fixtures/aws/events");

type Json = Record<string, unknown> & { detail: Record<string, unknown> };

function fixture(name: string): Json {
  return JSON.parse(readFileSync(resolve(FIXTURES, name), "utf8")) as Json;
}

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

const stateChange = () => fixture("ec2-instance-state-change-pending.json");
const tagChange = () => fixture("tag-change-on-resource-instance.json");

function rejection(input: unknown): AwsEventError {
  try {
    parseAwsEvent(input);
  } catch (error) {
    expect(error).toBeInstanceOf(AwsEventError);
    return error as AwsEventError;
  }
  throw new Error("the event was accepted");
}

describe("EC2 Instance State-change Notification", () => {
  it("parses the documented sample into a WorkloadEvent", () => {
    const event = parseAwsEvent(stateChange());
    expect(event).toEqual({
      cloud: "aws",
      eventId: "7bf73129-1428-4cd3-a780-95db273d1602",
      time: "2021-11-11T21:29:54Z",
      workloadId: "aws:123456789012:us-east-1:i-1234567890abcdef0",
      change: { kind: "state", state: "pending" },
    });
    expect(WorkloadEventSchema.parse(event)).toEqual(event);
  });

  it.each([
    ["pending", "pending"],
    ["running", "running"],
    ["stopping", "stopping"],
    ["stopped", "stopped"],
    ["shutting-down", "terminating"],
    ["terminated", "terminated"],
  ])("maps state %s to %s", (state, expected) => {
    const input = stateChange();
    input.detail.state = state;
    expect(parseAwsEvent(input).change).toEqual({ kind: "state", state: expected });
  });

  it("accepts an envelope with a version and without resources", () => {
    const input = { ...stateChange(), version: "0", resources: [] };
    expect(parseAwsEvent(input).workloadId).toBe("aws:123456789012:us-east-1:i-1234567890abcdef0");
  });

  it.each([
    ["an unknown state", ["detail", "state"], "hibernating", "detail.state:"],
    [
      "a malformed instance id",
      ["detail", "instance-id"],
      "i-XYZ",
      "detail.instance-id: not an EC2 instance id",
    ],
    ["a missing instance id", ["detail", "instance-id"], REMOVE, "detail.instance-id:"],
    ["a missing detail", ["detail"], REMOVE, "detail:"],
    ["a short account", ["account"], "12345", "account: not an AWS account id"],
    ["a bad region", ["region"], "mars-1", "region: not an AWS region"],
    ["a bad time", ["time"], "yesterday", "time: not an ISO 8601 time"],
    ["an empty id", ["id"], "", "id: must not be empty"],
    [
      "a resource naming another instance",
      ["resources"],
      ["arn:aws:ec2:us-east-1:123456789012:instance/i-0fedcba9876543210"],
      "resources[0]: names i-0fedcba9876543210, but detail.instance-id is i-1234567890abcdef0",
    ],
    [
      "a resource in another account",
      ["resources"],
      ["arn:aws:ec2:us-east-1:999999999999:instance/i-1234567890abcdef0"],
      'resources[0]: "arn:aws:ec2:us-east-1:999999999999:instance/i-1234567890abcdef0" is in account 999999999999',
    ],
  ] as const)("rejects %s, naming where", (_, path, value, message) => {
    const error = rejection(patched(stateChange(), path, value));
    expect(error.message).toContain(message);
    expect(error.message).toMatch(/^AWS event rejected: /);
  });
});

describe("Tag Change on Resource", () => {
  it("parses the documented sample into a WorkloadEvent with the full tag map", () => {
    const event = parseAwsEvent(tagChange());
    expect(event).toEqual({
      cloud: "aws",
      eventId: "bddcf1d6-0251-35a1-aab0-adc1fb47c11c",
      time: "2018-09-18T20:41:38Z",
      workloadId: "aws:123456789012:us-east-1:i-0000000aaaaaaaaaa",
      change: {
        kind: "tags",
        tags: {
          "a-new-key": "tag-value-on-new-key-just-added",
          "an-updated-key": "tag-value-was-just-changed",
          "an-unchanged-key": "tag-value-still-the-same",
        },
      },
    });
    expect(WorkloadEventSchema.parse(event)).toEqual(event);
  });

  it("accepts an empty tag map (every tag deleted) and the other partitions' ARNs", () => {
    const input = tagChange();
    input.detail.tags = {};
    input.resources = ["arn:aws-us-gov:ec2:us-east-1:123456789012:instance/i-0000000aaaaaaaaaa"];
    expect(parseAwsEvent(input).change).toEqual({ kind: "tags", tags: {} });
  });

  it.each([
    ["another resource type", ["detail", "resource-type"], "volume", "detail.resource-type:"],
    ["another service", ["detail", "service"], "s3", "detail.service:"],
    ["no resources", ["resources"], [], "resources: must name the tagged instance's ARN"],
    [
      "a non-instance ARN",
      ["resources"],
      ["arn:aws:ec2:us-east-1:123456789012:volume/vol-0123456789abcdef0"],
      'resources[0]: "arn:aws:ec2:us-east-1:123456789012:volume/vol-0123456789abcdef0" is not an EC2 instance ARN',
    ],
    [
      "an ARN that is not one",
      ["resources"],
      ["i-0000000aaaaaaaaaa"],
      'resources[0]: "i-0000000aaaaaaaaaa" is not an EC2 instance ARN',
    ],
    [
      "an ARN in another region",
      ["resources"],
      ["arn:aws:ec2:eu-west-1:123456789012:instance/i-0000000aaaaaaaaaa"],
      "is in region eu-west-1, but the event is from us-east-1",
    ],
    [
      "an ARN in another account",
      ["resources"],
      ["arn:aws:ec2:us-east-1:210987654321:instance/i-0000000aaaaaaaaaa"],
      "is in account 210987654321, but the event is from 123456789012",
    ],
    [
      "an ARN with a malformed instance id",
      ["resources"],
      ["arn:aws:ec2:us-east-1:123456789012:instance/i-0000000AAAAAAAAAA"],
      'ends in "i-0000000AAAAAAAAAA", which is not an EC2 instance id',
    ],
    ["a tag value that is not text", ["detail", "tags"], { "seg-app": 7 }, "detail.tags.seg-app:"],
    ["no tag map", ["detail", "tags"], REMOVE, "detail.tags:"],
  ] as const)("rejects %s, naming where", (_, path, value, message) => {
    expect(rejection(patched(tagChange(), path, value)).message).toContain(message);
  });
});

describe("other input", () => {
  it.each([
    [
      "another source",
      { ...stateChange(), source: "aws.s3" },
      '"EC2 Instance State-change Notification" from aws.s3',
    ],
    [
      "another detail type",
      { ...stateChange(), "detail-type": "EC2 Spot Instance Interruption Warning" },
      "is not an event segsync handles",
    ],
    [
      "a tag policy event",
      { ...tagChange(), "detail-type": "Invalid Effective Tag Policy" },
      "is not an event segsync handles",
    ],
    [
      "a state-change detail type from aws.tag",
      { ...tagChange(), "detail-type": "EC2 Instance State-change Notification" },
      "from aws.tag",
    ],
  ])("rejects %s", (_, input, message) => {
    const error = rejection(input);
    expect(error.message).toContain(message);
    expect(error.message).toContain('"Tag Change on Resource" from aws.tag');
  });

  it.each([
    ["null", null, "(the event):"],
    ["a string", "{}", "(the event):"],
    ["an object without a source", { "detail-type": "Tag Change on Resource" }, "source:"],
    ["an object without a detail type", { source: "aws.ec2" }, "detail-type:"],
  ])("rejects %s, naming what is missing", (_, input, message) => {
    expect(rejection(input).message).toContain(message);
  });

  it("lists every problem of one event", () => {
    const input = stateChange();
    input.account = "x";
    input.detail.state = "x";
    const error = rejection(input);
    expect(error.issues).toHaveLength(2);
    expect(error.issues[0]).toMatch(/^account: /);
    expect(error.issues[1]).toMatch(/^detail\.state: /);
  });
});
