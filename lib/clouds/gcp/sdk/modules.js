/**
 * The six @google-cloud/compute client modules, imported on demand by deep paths: the package's
 * index loads all ~100 v1 clients plus v1beta and v1small, and each client module needs only
 * google-gax and the shared protos.json. Plain JavaScript (typed by sdk-modules.d.ts) because
 * TypeScript resolving these specifiers loads the package's 32 MB protos.d.ts into every `tsc`
 * run; the literal specifiers keep them visible to bundlers.
 */
export async function importComputeModules() {
  const [instances, firewalls, subnetworks, projects, zoneOperations, globalOperations] = await Promise.all([
    import("@google-cloud/compute/build/src/v1/instances_client.js"),
    import("@google-cloud/compute/build/src/v1/firewalls_client.js"),
    import("@google-cloud/compute/build/src/v1/subnetworks_client.js"),
    import("@google-cloud/compute/build/src/v1/projects_client.js"),
    import("@google-cloud/compute/build/src/v1/zone_operations_client.js"),
    import("@google-cloud/compute/build/src/v1/global_operations_client.js"),
  ]);
  return {
    InstancesClient: instances.InstancesClient,
    FirewallsClient: firewalls.FirewallsClient,
    SubnetworksClient: subnetworks.SubnetworksClient,
    ProjectsClient: projects.ProjectsClient,
    ZoneOperationsClient: zoneOperations.ZoneOperationsClient,
    GlobalOperationsClient: globalOperations.GlobalOperationsClient,
  };
}
