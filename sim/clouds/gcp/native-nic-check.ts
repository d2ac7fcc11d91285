/**
 * `native.gcp.instances[].networkInterfaces`: nic0 is the workload's own NIC and must agree with
 * it (network, address); nic1 and on are secondary NICs, each with its own address in another
 * estate network, as Compute requires (docs/clouds.md, "GCP multiple network interfaces"). Compute
 * names them nic0, nic1, … in order.
 */
import { parseNetworkUrl } from "../../../lib/clouds/gcp/model.js";
import type { DraftIssue, PathSegment } from "../../../lib/util/source-issues.js";
import type { AddressBook } from "../../address-book.js";
import { addressIssues } from "../../address-book.js";
import type { EstateIndex, IndexedNetwork, IndexedWorkload } from "../../estate-index.js";
import type { NativeGcpInstance, NativeGcpInterface } from "./native-schema.js";

/** The estate network that a firewall's network URL names. */
export function firewallNetwork(index: EstateIndex, url: string): IndexedNetwork | undefined {
  const ref = parseNetworkUrl(url);
  return ref === undefined ? undefined : index.networks.get(`gcp:${ref.project}:${ref.name}`);
}

export function checkGcpInterfaces(
  instance: NativeGcpInstance,
  entry: IndexedWorkload,
  index: EstateIndex,
  addresses: AddressBook,
  path: readonly PathSegment[],
): DraftIssue[] {
  const issues: DraftIssue[] = [];
  const networks = new Map<string, number>();
  (instance.networkInterfaces ?? []).forEach((nic, k) => {
    const where = [...path, "networkInterfaces", k];
    if (nic.name !== undefined && nic.name !== `nic${k}`) {
      issues.push({
        path: [...where, "name"],
        message: `is ${nic.name}, but Compute names an instance's NICs nic0, nic1, … in order: this one is nic${k}`,
      });
    }
    const network = firewallNetwork(index, nic.network);
    if (network?.parts.cloud !== "gcp") {
      issues.push({
        path: [...where, "network"],
        message: `${nic.network} is not a GCP network in networks (https://www.googleapis.com/compute/v1/projects/<project>/global/networks/<network>)`,
      });
      return;
    }
    const other = networks.get(network.network.id);
    if (other !== undefined) {
      issues.push({
        path: [...where, "network"],
        message: `is also the network of networkInterfaces[${other}]: each NIC of an instance is in a different VPC network (docs/clouds.md, "GCP multiple network interfaces")`,
      });
      return;
    }
    networks.set(network.network.id, k);
    issues.push(
      ...(k === 0
        ? primaryIssues(nic, network, entry, where)
        : secondaryIssues(nic, k, network, entry, addresses, where)),
    );
  });
  return issues;
}

/** nic0 is where the workload entry says, with its addresses. */
function primaryIssues(
  nic: NativeGcpInterface,
  network: IndexedNetwork,
  entry: IndexedWorkload,
  where: readonly PathSegment[],
): DraftIssue[] {
  const { workload } = entry;
  if (network.network.id !== workload.network) {
    return [
      {
        path: [...where, "network"],
        message: `is ${network.network.id}, but workloads[${entry.index}] is in ${workload.network}`,
      },
    ];
  }
  const issues: DraftIssue[] = [];
  if (nic.networkIP !== undefined && nic.networkIP !== workload.privateIp) {
    issues.push({
      path: [...where, "networkIP"],
      message: `is ${nic.networkIP}, but workloads[${entry.index}] has privateIp ${workload.privateIp}`,
    });
  }
  const expected = workload.state === "running" ? workload.publicIp : undefined;
  nic.accessConfigs.forEach((config, m) => {
    if (config.natIP === undefined || config.natIP === expected) return;
    const why =
      expected !== undefined
        ? `workloads[${entry.index}] has publicIp ${expected}`
        : workload.state === "stopped"
          ? `workloads[${entry.index}] is stopped: Compute released its ephemeral external address`
          : `workloads[${entry.index}] has no publicIp`;
    issues.push({ path: [...where, "accessConfigs", m, "natIP"], message: `is ${config.natIP}, but ${why}` });
  });
  return issues;
}

/** A secondary NIC holds its own addresses in its own network. */
function secondaryIssues(
  nic: NativeGcpInterface,
  k: number,
  network: IndexedNetwork,
  entry: IndexedWorkload,
  addresses: AddressBook,
  where: readonly PathSegment[],
): DraftIssue[] {
  if (nic.networkIP === undefined) {
    return [{ path: [...where, "networkIP"], message: "a secondary NIC needs its networkIP" }];
  }
  const natIPs = nic.accessConfigs.flatMap((config) => (config.natIP === undefined ? [] : [config.natIP]));
  if (natIPs.length > 0 && entry.workload.state === "stopped") {
    return [
      {
        path: [...where, "accessConfigs"],
        message: `workloads[${entry.index}] is stopped: Compute released its ephemeral external addresses`,
      },
    ];
  }
  const holder = `nic${k} of ${entry.workload.id}`;
  const address = { privateIp: nic.networkIP, publicIp: natIPs[0] };
  const fields = { privateIp: [...where, "networkIP"], publicIp: [...where, "accessConfigs", 0, "natIP"] };
  return addressIssues(address, network, addresses, holder, fields);
}
