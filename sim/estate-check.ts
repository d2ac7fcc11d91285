/**
 * What an estate's networks and workloads must satisfy together, beyond each value's shape: ids
 * listed once, every workload in a listed network of its own cloud (and, but for GCP's Shared
 * VPC, of its own account, region or subscription), addresses inside the network and not taken
 * twice, tags that the workload's cloud accepts, regions where Azure needs them.
 */
import type { DraftIssue } from "../lib/util/source-issues.js";
import { type AddressBook, addressIssues } from "./address-book.js";
import { simulatorOf } from "./clouds/registry.js";
import type { EstateIndex, IndexedNetwork, IndexedWorkload } from "./estate-index.js";
import type { Estate } from "./estate-schema.js";
import { tagProblems } from "./tag-rules.js";

export function checkNetworks(estate: Estate, index: EstateIndex): DraftIssue[] {
  const issues: DraftIssue[] = [];
  estate.networks.forEach((network, at) => {
    const first = index.networks.get(network.id);
    if (first === undefined) return;
    const path = ["networks", at];
    if (first.index !== at) {
      issues.push({
        path: [...path, "id"],
        message: `network ${network.id} is already listed at networks[${first.index}]`,
      });
      return;
    }
    const parts = first.parts;
    if (parts.cloud === "aws") {
      const vpcOwner = index.awsVpcs.get(parts.vpcId);
      if (vpcOwner !== undefined && vpcOwner.index !== at) {
        issues.push({
          path: [...path, "id"],
          message: `${parts.vpcId} is already the VPC of networks[${vpcOwner.index}]: VPC ids are unique across accounts and regions`,
        });
      }
    }
    if (parts.cloud === "azure" && network.region === undefined) {
      issues.push({ path: [...path, "region"], message: "an Azure VNet needs its region, such as eastus" });
    }
    if (parts.cloud !== "azure" && network.region !== undefined) {
      const why = parts.cloud === "aws" ? "an AWS VPC's region is part of its id" : "a GCP network is global";
      issues.push({
        path: [...path, "region"],
        message: `only Azure VNets take a region: ${why}`,
        target: "key",
      });
    }
  });
  return issues;
}

/** Checks the workloads and claims their addresses in `addresses`, for the native objects' checks to continue. */
export function checkWorkloads(estate: Estate, index: EstateIndex, addresses: AddressBook): DraftIssue[] {
  const issues: DraftIssue[] = [];
  estate.workloads.forEach((workload, at) => {
    const entry = index.workloads.get(workload.id);
    if (entry === undefined) return;
    const path = ["workloads", at];
    if (entry.index !== at) {
      issues.push({
        path: [...path, "id"],
        message: `workload ${workload.id} is already listed at workloads[${entry.index}]`,
      });
      return;
    }
    const network = index.networkOf(workload);
    const placement =
      network === undefined
        ? `network ${workload.network} is not listed in networks`
        : placementProblem(entry, network);
    if (placement !== undefined) issues.push({ path: [...path, "network"], message: placement });
    else if (network !== undefined) {
      const fields = { privateIp: [...path, "privateIp"], publicIp: [...path, "publicIp"] };
      issues.push(...addressIssues(workload, network, addresses, `workloads[${at}]`, fields));
    }
    for (const problem of tagProblems(simulatorOf(entry.parts.cloud).tagRules, workload.tags)) {
      const tagPath = problem.key === undefined ? [...path, "tags"] : [...path, "tags", problem.key];
      issues.push({
        path: tagPath,
        message: problem.message,
        ...(problem.key === undefined ? {} : { target: "key" as const }),
      });
    }
  });
  return issues;
}

/** Why a workload cannot be in this network, or undefined when it can. */
export function placementProblem(
  entry: Pick<IndexedWorkload, "parts">,
  network: IndexedNetwork,
): string | undefined {
  const workload = entry.parts;
  const net = network.parts;
  if (net.cloud !== workload.cloud) {
    return `network ${network.network.id} is in ${net.cloud}, but the workload is in ${workload.cloud}`;
  }
  return simulatorOf(workload.cloud).placementProblem(workload, net, network.network.id);
}
