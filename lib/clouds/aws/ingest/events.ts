/**
 * EventBridge events from EC2 → WorkloadEvent (docs/clouds.md, "AWS EventBridge events"). Two kinds
 * are accepted: "EC2 Instance State-change Notification" (source aws.ec2) and
 * "Tag Change on Resource" (source aws.tag, for an EC2 instance). Events are hints that the
 * reconciler verifies by re-reading the instance, but what they name must still be exactly right:
 * the account, region and instance id must agree between the envelope, the detail and the resource
 * ARN.
 */
import { z } from "zod";
import { type WorkloadEvent, WorkloadEventSchema } from "../../../ingest/workload-event.js";
import { formatWorkloadId } from "../../../inventory/ids.js";
import { fieldPath, rejectedEvent } from "../../common/event-issues.js";
import { AwsEventError } from "./errors.js";

const STATE_CHANGE = { source: "aws.ec2", detailType: "EC2 Instance State-change Notification" } as const;
const TAG_CHANGE = { source: "aws.tag", detailType: "Tag Change on Resource" } as const;

// EC2 issues 8 or 17 hex digits; workload ids (inventory/ids.ts) accept 8 to 17 for users' estates, and so do events.
const INSTANCE_ID = z
  .string()
  .regex(/^i-[0-9a-f]{8,17}$/, "not an EC2 instance id (i- and 8 to 17 hex digits)");
const ACCOUNT = z.string().regex(/^\d{12}$/, "not an AWS account id (12 digits)");
const REGION = z.string().regex(/^[a-z]{2}(?:-gov)?-[a-z]+-\d$/, "not an AWS region");

/** arn:<partition>:ec2:<region>:<account>:instance/<instanceId> */
const INSTANCE_ARN = /^arn:(aws|aws-cn|aws-us-gov):ec2:([^:]*):([^:]*):instance\/(.*)$/;

const envelope = {
  version: z.string().optional(),
  id: z.string().min(1, "must not be empty"),
  account: ACCOUNT,
  time: z.iso.datetime({ offset: true, error: "not an ISO 8601 time" }),
  region: REGION,
  resources: z.array(z.string()),
};

export const AwsStateChangeEventSchema = z.object({
  ...envelope,
  source: z.literal(STATE_CHANGE.source),
  "detail-type": z.literal(STATE_CHANGE.detailType),
  detail: z.object({
    "instance-id": INSTANCE_ID,
    state: z.enum(["pending", "running", "stopping", "stopped", "shutting-down", "terminated"]),
  }),
});

export const AwsTagChangeEventSchema = z.object({
  ...envelope,
  source: z.literal(TAG_CHANGE.source),
  "detail-type": z.literal(TAG_CHANGE.detailType),
  resources: z.array(z.string()).min(1, "must name the tagged instance's ARN"),
  detail: z.object({
    "changed-tag-keys": z.array(z.string()),
    tags: z.record(z.string(), z.string()),
    service: z.literal("ec2"),
    "resource-type": z.literal("instance"),
    version: z.number().int().optional(),
  }),
});

/** Enough of any EventBridge envelope to choose the schema, so that other kinds get a clear message. */
const KindSchema = z.object({ source: z.string(), "detail-type": z.string() });

export type AwsStateChangeEvent = z.infer<typeof AwsStateChangeEventSchema>;
export type AwsTagChangeEvent = z.infer<typeof AwsTagChangeEventSchema>;

const STATE_TO_CHANGE: Readonly<
  Record<AwsStateChangeEvent["detail"]["state"], Extract<WorkloadEvent["change"], { kind: "state" }>["state"]>
> = {
  pending: "pending",
  running: "running",
  stopping: "stopping",
  stopped: "stopped",
  "shutting-down": "terminating",
  terminated: "terminated",
};

/** Parses one EventBridge event; throws AwsEventError naming what is wrong and where. */
export function parseAwsEvent(input: unknown): WorkloadEvent {
  const kind = KindSchema.safeParse(input);
  if (!kind.success) throw eventError(kind.error.issues);
  const { source, "detail-type": detailType } = kind.data;
  if (source === STATE_CHANGE.source && detailType === STATE_CHANGE.detailType) {
    return fromStateChange(parseWith(AwsStateChangeEventSchema, input));
  }
  if (source === TAG_CHANGE.source && detailType === TAG_CHANGE.detailType) {
    return fromTagChange(parseWith(AwsTagChangeEventSchema, input));
  }
  const accepted = [STATE_CHANGE, TAG_CHANGE]
    .map((known) => `"${known.detailType}" from ${known.source}`)
    .join(" or ");
  const issue = `source, detail-type: "${detailType}" from ${source} is not an event segsync handles (${accepted})`;
  throw rejected([issue]);
}

function fromStateChange(event: AwsStateChangeEvent): WorkloadEvent {
  const instanceId = event.detail["instance-id"];
  const arn = event.resources[0];
  if (arn !== undefined) {
    // The resource, when given, is the same instance; a mismatch is a forged or mangled event.
    const fromArn = instanceIdFromArn(arn, event, "resources[0]");
    if (fromArn !== instanceId) {
      throw fieldError("resources[0]", `names ${fromArn}, but detail.instance-id is ${instanceId}`);
    }
  }
  return workloadEvent(event, instanceId, { kind: "state", state: STATE_TO_CHANGE[event.detail.state] });
}

function fromTagChange(event: AwsTagChangeEvent): WorkloadEvent {
  const instanceId = instanceIdFromArn(event.resources[0] ?? "", event, "resources[0]");
  return workloadEvent(event, instanceId, { kind: "tags", tags: event.detail.tags });
}

function workloadEvent(
  event: { readonly id: string; readonly time: string; readonly account: string; readonly region: string },
  instanceId: string,
  change: WorkloadEvent["change"],
): WorkloadEvent {
  return WorkloadEventSchema.parse({
    cloud: "aws",
    eventId: event.id,
    time: event.time,
    workloadId: formatWorkloadId({ cloud: "aws", account: event.account, region: event.region, instanceId }),
    change,
  });
}

/** The instance id of an EC2 instance ARN in the event's own account and region. */
function instanceIdFromArn(
  arn: string,
  event: { readonly account: string; readonly region: string },
  path: string,
): string {
  const match = INSTANCE_ARN.exec(arn);
  if (match === null) {
    throw fieldError(
      path,
      `"${arn}" is not an EC2 instance ARN (arn:aws:ec2:<region>:<account>:instance/<id>)`,
    );
  }
  const [, , region, account, instanceId = ""] = match;
  if (region !== event.region)
    throw fieldError(path, `"${arn}" is in region ${region}, but the event is from ${event.region}`);
  if (account !== event.account) {
    throw fieldError(path, `"${arn}" is in account ${account}, but the event is from ${event.account}`);
  }
  const checked = INSTANCE_ID.safeParse(instanceId);
  if (!checked.success)
    throw fieldError(path, `"${arn}" ends in "${instanceId}", which is ${checked.error.issues[0]?.message}`);
  return checked.data;
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw eventError(parsed.error.issues);
  return parsed.data;
}

/** Paths as `detail.instance-id`, `resources[0]`; `(the event)` for the event itself. */
function eventError(issues: readonly z.core.$ZodIssue[]): AwsEventError {
  return rejected(issues.map((issue) => `${fieldPath(issue.path, "(the event)")}: ${issue.message}`));
}

function fieldError(path: string, message: string): AwsEventError {
  return rejected([`${path}: ${message}`]);
}

function rejected(lines: readonly string[]): AwsEventError {
  return rejectedEvent(AwsEventError, "AWS", lines);
}
