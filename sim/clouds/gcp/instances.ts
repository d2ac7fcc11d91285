import { type GcpInstance, zoneName } from "../../../lib/clouds/gcp/model.js";
import { parseCidr } from "../../../lib/net/cidr.js";
import { fail, SimulationInputError } from "./failures.js";
import { checkLabels, checkName, checkNetworkTags, isZone } from "./names.js";
import { instancePath, resolveNetwork } from "./network.js";
import { EXTERNAL_NAT, instanceKey, type SimInstance, type SimNic, type SimProject } from "./project.js";

/**
 * What happens to instances outside segsync: creation, stops and starts, relabels, deletion.
 * These are the simulation's controls, not Compute calls, so they are neither logged nor
 * throttled; they fail with SimulationInputError for a scenario that could not happen, and with
 * Compute's own errors where Compute would refuse the same request (a bad name or label, …).
 */

export interface InstanceInterfaceInput {
  /** A bare name (this project's network), or a network URL: another project's for Shared VPC. */
  readonly network: string;
  readonly networkIP: string;
  /** An external (ephemeral) address on the NIC's access config. */
  readonly natIP?: string;
}

export interface CreateInstanceInput extends InstanceInterfaceInput {
  readonly zone: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Network tags. */
  readonly tags?: readonly string[];
  /** nic1, nic2, …: further NICs, each in its own network. */
  readonly moreInterfaces?: readonly InstanceInterfaceInput[];
}

/** The states a control can put an instance in; Compute reports a stopped VM as TERMINATED. */
export type SimInstanceStatus = "RUNNING" | "STOPPED" | "TERMINATED" | "SUSPENDED";

export interface SetStatusOptions {
  /** The natIP is a reserved (static) address: stopping keeps it. */
  readonly keepNatIp?: boolean;
  /** On start: the new ephemeral address of the primary NIC. */
  readonly natIP?: string;
}

export function createInstance(project: SimProject, input: CreateInstanceInput): GcpInstance {
  const zone = checkZone(input.zone);
  checkName("resource.name", input.name);
  if (project.instances.has(instanceKey(zone, input.name))) {
    throw fail.alreadyExists(instancePath(project.project, zone, input.name));
  }
  checkLabels(input.labels);
  const tags = input.tags ?? [];
  checkNetworkTags("resource.tags.items", tags, project.limits.networkTagsPerInstance);

  const interfaces = [input, ...(input.moreInterfaces ?? [])];
  const nics: SimNic[] = [];
  for (const [index, nic] of interfaces.entries()) {
    const network = interfaceNetwork(project, nic.network, index);
    if (nics.some((other) => other.network === network)) {
      throw fail.invalid(
        `resource.networkInterfaces[${index}].network`,
        nic.network,
        "Each network interface must be in a different network.",
      );
    }
    checkAddresses(project, [...nics], network, nic.networkIP, nic.natIP);
    nics.push({
      name: `nic${index}`,
      network,
      networkIP: nic.networkIP,
      ...(nic.natIP === undefined ? {} : { accessConfig: EXTERNAL_NAT, natIP: nic.natIP }),
    });
  }
  const instance: SimInstance = {
    id: project.newId(),
    name: input.name,
    zone,
    status: "RUNNING",
    labels: { ...input.labels },
    labelFingerprint: project.newFingerprint(),
    tags: [...tags],
    tagsFingerprint: project.newFingerprint(),
    nics,
  };
  project.instances.set(instanceKey(zone, input.name), instance);
  return project.describeInstance(instance);
}

/**
 * Moves an instance to another state. Leaving RUNNING releases the ephemeral external addresses
 * (their access configs stay, without natIP) unless `keepNatIp`; starting assigns `natIP` to the
 * primary NIC when given.
 */
export function setInstanceStatus(
  project: SimProject,
  zone: string,
  name: string,
  status: SimInstanceStatus,
  options: SetStatusOptions = {},
): void {
  const instance = project.instance(zoneName(zone), name);
  if (status !== "RUNNING") {
    if (options.natIP !== undefined) {
      throw new SimulationInputError(
        `a ${status} instance gets no external address: ${name} cannot get ${options.natIP}`,
      );
    }
    if (!options.keepNatIp) for (const nic of instance.nics) delete nic.natIP;
  } else if (options.natIP !== undefined) {
    const primary = instance.nics[0] as SimNic;
    if (primary.natIP !== options.natIP) {
      checkNatIp(project, options.natIP);
      primary.natIP = options.natIP;
    }
  }
  instance.status = status;
  // Its external addresses changed in place: filed again under the ones it holds now.
  project.instances.set(instanceKey(zoneName(zone), name), instance);
}

/** The instance is gone: list calls no longer return it (Compute deletes; nothing lingers). */
export function deleteInstance(project: SimProject, zone: string, name: string): void {
  project.instance(zoneName(zone), name);
  project.instances.delete(instanceKey(zoneName(zone), name));
}

/** Replaces the labels with a complete new map; the label fingerprint changes. */
export function setInstanceLabels(
  project: SimProject,
  zone: string,
  name: string,
  labels: Readonly<Record<string, string>>,
): void {
  const instance = project.instance(zoneName(zone), name);
  checkLabels(labels);
  instance.labels = { ...labels };
  instance.labelFingerprint = project.newFingerprint();
}

/** instances.setTags: valid tags within the per-instance limit, with the current fingerprint. */
export function setInstanceTags(
  project: SimProject,
  zone: string,
  name: string,
  items: readonly string[],
  fingerprint: string,
): void {
  checkNetworkTags("tags.items", items, project.limits.networkTagsPerInstance);
  const instance = project.instance(zoneName(zone), name);
  if (fingerprint !== instance.tagsFingerprint) {
    throw fail.staleFingerprint(instancePath(project.project, instance.zone, name));
  }
  instance.tags = [...items];
  instance.tagsFingerprint = project.newFingerprint();
}

function checkZone(zone: string): string {
  const name = zoneName(zone);
  if (!isZone(name)) throw new SimulationInputError(`"${zone}" is not a zone such as us-central1-a`);
  return name;
}

/** A network of this project must exist; another project's (Shared VPC) lives in that project. */
function interfaceNetwork(project: SimProject, text: string, index: number): string {
  const field = `resource.networkInterfaces[${index}].network`;
  const ref = resolveNetwork(project.project, text, true);
  if (ref === undefined) throw fail.invalid(field, text, "Must be a network name or URL.");
  checkName(field, ref.name);
  if (ref.project === project.project && !project.networks.has(ref.name)) {
    throw fail.invalid(field, text, "The referenced network resource cannot be found.");
  }
  return ref.url;
}

function checkAddresses(
  project: SimProject,
  pending: readonly SimNic[],
  network: string,
  networkIP: string,
  natIP: string | undefined,
): void {
  checkIpv4(networkIP, "networkIP");
  const used =
    project.instances.keysAt("networkIP", network, networkIP).size > 0 ||
    pending.some((nic) => nic.network === network && nic.networkIP === networkIP);
  if (used) {
    throw new SimulationInputError(`networkIP ${networkIP} is already used in ${network}`);
  }
  if (natIP !== undefined) checkNatIp(project, natIP, pending);
}

function checkNatIp(project: SimProject, natIP: string, pending: readonly SimNic[] = []): void {
  checkIpv4(natIP, "natIP");
  if (project.instances.keysAt("natIP", natIP).size > 0 || pending.some((nic) => nic.natIP === natIP)) {
    throw new SimulationInputError(`natIP ${natIP} is already used by another instance`);
  }
}

function checkIpv4(text: string, what: string): void {
  const parsed = parseCidr(text);
  if (text.includes("/") || !parsed.ok || parsed.cidr.family !== 4 || parsed.cidr.text !== `${text}/32`) {
    throw new SimulationInputError(`${what} "${text}" is not an IPv4 address in canonical form`);
  }
}
