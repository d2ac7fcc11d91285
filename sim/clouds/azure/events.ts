/**
 * Event Grid deliveries from an Azure subscription's system topic (docs/clouds.md,
 * "Azure Event Grid"; samples in test/fixtures/azure/events): one event per delivery, for a VM's
 * write (create or update), delete, start or deallocate. `httpRequest` is present only when an
 * existing resource is updated, deleted or acted on, as Event Grid documents.
 */
import { type EventIds, isoTime } from "../../clock.js";

/** The tenant and caller that the simulated events name: placeholders in the documentation's style. */
const TENANT_ID = "0b5e4c1a-2f3d-4e6b-8a9c-7d1e2f3a4b5c";
const CALLER_APP_ID = "3d1e2f4a-7b8c-4d9e-a0f1-b2c3d4e5f607";
const CALLER_IP = "203.0.113.7";
const API_VERSION = "2024-07-01";

export type AzureVmOperation = "create" | "update" | "delete" | "start" | "deallocate";

export interface AzureEventBody {
  readonly subject: string;
  readonly eventType: string;
  readonly eventTime: string;
  readonly id: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly dataVersion: string;
  readonly metadataVersion: string;
  readonly topic: string;
}

const OPERATIONS: Readonly<
  Record<AzureVmOperation, { eventType: string; action: string; method?: string; path?: string }>
> = {
  create: { eventType: "ResourceWriteSuccess", action: "write" },
  update: { eventType: "ResourceWriteSuccess", action: "write", method: "PUT", path: "" },
  delete: { eventType: "ResourceDeleteSuccess", action: "delete", method: "DELETE", path: "" },
  start: { eventType: "ResourceActionSuccess", action: "start/action", method: "POST", path: "/start" },
  deallocate: {
    eventType: "ResourceActionSuccess",
    action: "deallocate/action",
    method: "POST",
    path: "/deallocate",
  },
};

/** One delivery (an array of one event) for an operation on the VM `vmId` of `subscription`. */
export function azureVmEvent(
  ids: EventIds,
  subscription: string,
  vmId: string,
  operation: AzureVmOperation,
  time: Date,
): AzureEventBody[] {
  const { eventType, action, method, path } = OPERATIONS[operation];
  const operationName = `Microsoft.Compute/virtualMachines/${action}`;
  const eventId = ids.uuid();
  const httpRequest =
    method === undefined
      ? {}
      : {
          httpRequest: {
            clientRequestId: ids.uuid(),
            clientIpAddress: CALLER_IP,
            method,
            url: `https://management.azure.com${vmId}${path}?api-version=${API_VERSION}`,
          },
        };
  return [
    {
      subject: vmId,
      eventType: `Microsoft.Resources.${eventType}`,
      eventTime: isoTime(time, 7),
      id: eventId,
      data: {
        authorization: { scope: vmId, action: operationName, evidence: { role: "Contributor" } },
        claims: {
          aud: "https://management.core.windows.net/",
          iss: `https://sts.windows.net/${TENANT_ID}/`,
          appid: CALLER_APP_ID,
          ver: "1.0",
        },
        correlationId: ids.uuid(),
        ...httpRequest,
        resourceProvider: "Microsoft.Compute",
        resourceUri: vmId,
        operationName,
        status: "Succeeded",
        subscriptionId: subscription,
        tenantId: TENANT_ID,
      },
      dataVersion: "2",
      metadataVersion: "1",
      topic: `/subscriptions/${subscription}`,
    },
  ];
}
