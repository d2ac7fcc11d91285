/**
 * EventBridge events as EC2 sends them (docs/clouds.md, "AWS EventBridge events"; samples in
 * test/fixtures/aws/events): "EC2 Instance State-change Notification" from aws.ec2 and
 * "Tag Change on Resource" from aws.tag.
 */
import type { AwsInstanceStateName } from "../../../lib/clouds/aws/model.js";
import { type EventIds, isoTime } from "../../clock.js";

export interface AwsEventBody {
  readonly version: "0";
  readonly id: string;
  readonly "detail-type": string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface AwsInstanceRef {
  readonly account: string;
  readonly region: string;
  readonly instanceId: string;
}

function partition(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  return region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

function envelope(ids: EventIds, instance: AwsInstanceRef, time: Date) {
  const { account, region, instanceId } = instance;
  return {
    version: "0" as const,
    id: ids.uuid(),
    account,
    time: isoTime(time, 0),
    region,
    resources: [`arn:${partition(region)}:ec2:${region}:${account}:instance/${instanceId}`],
  };
}

export function awsStateChange(
  ids: EventIds,
  instance: AwsInstanceRef,
  state: AwsInstanceStateName,
  time: Date,
): AwsEventBody {
  return {
    ...envelope(ids, instance, time),
    "detail-type": "EC2 Instance State-change Notification",
    source: "aws.ec2",
    detail: { "instance-id": instance.instanceId, state },
  };
}

/** `tags` is the full new map; the changed keys are those added, updated or deleted. */
export function awsTagChange(
  ids: EventIds,
  instance: AwsInstanceRef,
  before: Readonly<Record<string, string>>,
  tags: Readonly<Record<string, string>>,
  version: number,
  time: Date,
): AwsEventBody {
  const keys = new Set([...Object.keys(before), ...Object.keys(tags)]);
  const changed = [...keys].filter((key) => before[key] !== tags[key]).sort();
  return {
    ...envelope(ids, instance, time),
    "detail-type": "Tag Change on Resource",
    source: "aws.tag",
    detail: {
      "changed-tag-keys": changed,
      tags: { ...tags },
      service: "ec2",
      "resource-type": "instance",
      version,
    },
  };
}
