import { InstancesClient } from "@google-cloud/compute/build/src/v1/instances_client.js";
import { FirewallsClient } from "@google-cloud/compute/build/src/v1/firewalls_client.js";
import { ZoneOperationsClient } from "@google-cloud/compute/build/src/v1/zone_operations_client.js";
import { GlobalOperationsClient } from "@google-cloud/compute/build/src/v1/global_operations_client.js";
import type { ComputeClients } from "../lib/clouds/gcp/sdk-clients.js";
declare const i: InstancesClient; declare const f: FirewallsClient; declare const z: ZoneOperationsClient; declare const g: GlobalOperationsClient;
export const clients = { instances: i, firewalls: f, zoneOperations: z, globalOperations: g } satisfies ComputeClients;
