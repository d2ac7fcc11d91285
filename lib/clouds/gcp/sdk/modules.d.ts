import type { ComputeClients } from "./clients.js";

/** A client class of @google-cloud/compute v1, as much of it as ComputeClients uses. */
type ClientClass<Client> = new (options: object) => Client;

/**
 * The declared shape of sdk-modules.js. Not checked against the SDK's own types (see there why);
 * test/clouds/gcp/sdk/api.http.test.ts drives every method through the real clients instead.
 */
export function importComputeModules(): Promise<{
  InstancesClient: ClientClass<ComputeClients["instances"]>;
  FirewallsClient: ClientClass<ComputeClients["firewalls"]>;
  SubnetworksClient: ClientClass<ComputeClients["subnetworks"]>;
  ProjectsClient: ClientClass<ComputeClients["projects"]>;
  ZoneOperationsClient: ClientClass<ComputeClients["zoneOperations"]>;
  GlobalOperationsClient: ClientClass<ComputeClients["globalOperations"]>;
}>;
