/**
 * The native events that a change to a workload makes its cloud emit, as NativeEvents: AWS
 * EventBridge events (launch and start: pending, running; stop: stopping, stopped; terminate:
 * shutting-down, terminated; a re-tag: Tag Change on Resource, while RunInstances with tags
 * sends none), Azure Event Grid deliveries (a VM write for a launch and for a re-tag, which is a
 * VM PUT; deallocate and start actions; a delete), GCP audit log pushes (first and last entry of
 * insert, setLabels, stop, start, delete). Each event is one second after the one before.
 */
import type { AwsInstanceStateName } from "../lib/clouds/aws/model.js";
import { type AwsEventBody, awsStateChange, awsTagChange } from "./clouds/aws/events.js";
import { type AzureEventBody, type AzureVmOperation, azureVmEvent } from "./clouds/azure/events.js";
import {
  type GcpInstanceMethod,
  gcpOperationPushes,
  labelList,
  type PubSubPushBody,
} from "./clouds/gcp/events.js";
import { azureVmId } from "./estate-index.js";
import type { SimulatedClouds } from "./simulated-clouds.js";
import type { LiveWorkload } from "./workload-book.js";

export type NativeEvent =
  | { readonly cloud: "aws"; readonly body: AwsEventBody }
  | { readonly cloud: "azure"; readonly body: AzureEventBody[] }
  | { readonly cloud: "gcp"; readonly body: PubSubPushBody };

export type Change = "launched" | "retagged" | "stopped" | "started" | "terminated";

const AWS_STATES: Readonly<Record<Exclude<Change, "retagged">, readonly AwsInstanceStateName[]>> = {
  launched: ["pending", "running"],
  started: ["pending", "running"],
  stopped: ["stopping", "stopped"],
  terminated: ["shutting-down", "terminated"],
};

const AZURE_OPERATIONS: Readonly<Record<Change, AzureVmOperation>> = {
  launched: "create",
  retagged: "update",
  stopped: "deallocate",
  started: "start",
  terminated: "delete",
};

const GCP_METHODS: Readonly<Record<Change, GcpInstanceMethod>> = {
  launched: "insert",
  retagged: "setLabels",
  stopped: "stop",
  started: "start",
  terminated: "delete",
};

/** The events of one change; `before` is the workload before a re-tag. */
export function eventsOf(
  clouds: SimulatedClouds,
  change: Change,
  workload: LiveWorkload,
  before?: LiveWorkload,
): NativeEvent[] {
  const parts = workload.parts;
  const tick = () => {
    const now = clouds.clock.now();
    clouds.clock.advance(1000);
    return now;
  };
  if (parts.cloud === "aws") {
    if (change === "retagged") {
      const body = awsTagChange(
        clouds.ids,
        parts,
        before?.tags ?? {},
        workload.tags,
        workload.tagVersion,
        tick(),
      );
      return [{ cloud: "aws", body }];
    }
    return AWS_STATES[change].map((state) => ({
      cloud: "aws",
      body: awsStateChange(clouds.ids, parts, state, tick()),
    }));
  }
  if (parts.cloud === "azure") {
    const vmId = azureVmId(parts.subscription, parts.resourceGroup, parts.vmName);
    return [
      {
        cloud: "azure",
        body: azureVmEvent(clouds.ids, parts.subscription, vmId, AZURE_OPERATIONS[change], tick()),
      },
    ];
  }
  const method = GCP_METHODS[change];
  const instance = {
    project: parts.project,
    zone: parts.zone,
    name: parts.instanceName,
    instanceId: workload.nativeId ?? "0",
  };
  const request: Record<string, unknown> =
    method === "insert"
      ? { name: parts.instanceName, labels: labelList(workload.tags) }
      : method === "setLabels"
        ? { labels: labelList(workload.tags) }
        : {};
  const times = { first: tick(), last: tick() };
  return gcpOperationPushes(clouds.ids, instance, method, request, times).map((body) => ({
    cloud: "gcp",
    body,
  }));
}
