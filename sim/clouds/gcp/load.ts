import { GcpApiError } from "../../../lib/clouds/gcp/errors.js";
import { type GcpInstance, type GcpProjectState, zoneName } from "../../../lib/clouds/gcp/model.js";
import { SimulationInputError } from "./failures.js";
import { checkFirewall } from "./firewalls.js";
import { checkLabels, checkName, checkNetworkTags, isZone } from "./names.js";
import { resolveNetwork } from "./network.js";
import { EXTERNAL_NAT, instanceKey, type SimNic, type SimProject } from "./project.js";

/** Every status Compute reports. */
const STATUSES: ReadonlySet<string> = new Set<string>([
  "PENDING",
  "PROVISIONING",
  "STAGING",
  "RUNNING",
  "STOPPING",
  "STOPPED",
  "SUSPENDING",
  "SUSPENDED",
  "REPAIRING",
  "DEPROVISIONING",
  "TERMINATED",
]);

/**
 * Fills an empty project from a starting state in the REST shapes (an estate's `native`,
 * docs/formats.md, "Estate"; or a previous run's state()). The project's networks are those its
 * instances and rules refer to. Formats are checked (Compute could not hold a bad name); limits and
 * quotas are not: what exists in Compute exists, whatever the limits are now. Missing ids and
 * fingerprints are made.
 */
export function loadProjectState(project: SimProject, state: GcpProjectState): void {
  if (state.project !== project.project) {
    throw new SimulationInputError(`the state is for project ${state.project}, not ${project.project}`);
  }
  // The state's own ids first, so that ids made for entries without one never collide with them.
  for (const { id } of [...state.instances, ...state.firewalls]) if (id !== undefined) project.reserveId(id);
  for (const instance of state.instances) {
    for (const nic of instance.networkInterfaces) {
      const ref = resolveNetwork(project.project, nic.network, false);
      if (ref?.project === project.project) project.networks.add(ref.name);
    }
  }
  for (const firewall of state.firewalls) {
    const ref = resolveNetwork(project.project, firewall.network || "global/networks/default", false);
    if (ref?.project === project.project) project.networks.add(ref.name);
  }
  for (const firewall of state.firewalls) {
    const checked = asInput(
      () => checkFirewall(project, firewall, { limits: false, bareNetworkName: false }),
      `firewall rule ${firewall.name}`,
    );
    if (project.firewalls.has(checked.name)) {
      throw new SimulationInputError(`firewall rule ${checked.name} appears twice in the state`);
    }
    const id = firewall.id ?? project.newId();
    project.firewalls.set(checked.name, { id, ...checked, selfLink: project.firewallSelfLink(checked.name) });
  }
  for (const instance of state.instances) loadInstance(project, instance);
}

function loadInstance(project: SimProject, instance: GcpInstance): void {
  const zone = zoneName(instance.zone);
  const subject = `instance ${zone}/${instance.name}`;
  if (!isZone(zone)) throw new SimulationInputError(`${subject}: "${instance.zone}" is not a zone`);
  asInput(() => checkName("name", instance.name), subject);
  if (project.instances.has(instanceKey(zone, instance.name))) {
    throw new SimulationInputError(`${subject} appears twice in the state`);
  }
  if (!STATUSES.has(instance.status)) {
    throw new SimulationInputError(`${subject}: "${instance.status}" is not an instance status`);
  }
  const labels = { ...(instance.labels ?? {}) };
  asInput(() => checkLabels(labels), subject);
  const tags = [...(instance.tags?.items ?? [])];
  asInput(() => checkNetworkTags("tags.items", tags, undefined), subject);
  if (instance.networkInterfaces.length === 0) {
    throw new SimulationInputError(`${subject} has no network interface`);
  }
  const nics: SimNic[] = instance.networkInterfaces.map((nic, index) => {
    const ref = resolveNetwork(project.project, nic.network, false);
    if (ref === undefined)
      throw new SimulationInputError(`${subject}: "${nic.network}" is not a network URL`);
    const natIP = nic.accessConfigs?.find((config) => config.natIP !== undefined)?.natIP;
    const [config] = nic.accessConfigs ?? [];
    return {
      name: nic.name ?? `nic${index}`,
      network: ref.url,
      ...(nic.subnetwork === undefined ? {} : { subnetwork: nic.subnetwork }),
      networkIP: nic.networkIP,
      ...(config === undefined
        ? {}
        : {
            accessConfig: { name: config.name ?? EXTERNAL_NAT.name, type: config.type ?? EXTERNAL_NAT.type },
          }),
      ...(natIP === undefined ? {} : { natIP }),
    };
  });
  const id = instance.id ?? project.newId();
  project.instances.set(instanceKey(zone, instance.name), {
    id,
    name: instance.name,
    zone,
    status: instance.status,
    labels,
    labelFingerprint: instance.labelFingerprint ?? project.newFingerprint(),
    tags,
    tagsFingerprint: instance.tags?.fingerprint ?? project.newFingerprint(),
    nics,
  });
}

/** Compute errors while loading mean a state that Compute could not hold: reported as such. */
function asInput<T>(run: () => T, subject: string): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof GcpApiError) throw new SimulationInputError(`${subject}: ${error.message}`);
    throw error;
  }
}
