/**
 * What `native.gcp` must satisfy with the rest of the estate: a firewall rule in a listed GCP
 * network (in that network's project, where Compute keeps it), names unique per project, and an
 * instance entry naming exactly one estate workload, once, with NICs that fit it
 * (native-nic-check.ts).
 */
import type { DraftIssue } from "../../../lib/util/source-issues.js";
import type { AddressBook } from "../../address-book.js";
import type { EstateIndex, IndexedWorkload } from "../../estate-index.js";
import { RFC_1035 } from "./names.js";
import { checkGcpInterfaces, firewallNetwork } from "./native-nic-check.js";
import type { NativeGcp, NativeGcpInstance } from "./native-schema.js";

const ZONE_URL = /(?:^|\/)projects\/([^/]+)\/zones\/([^/]+)$/;

/** The one estate workload that an instance entry names, or why there is none. */
export function instanceWorkload(
  index: EstateIndex,
  entry: NativeGcpInstance,
): { ok: true; workload: IndexedWorkload } | { ok: false; field: "name" | "zone"; message: string } {
  const url = ZONE_URL.exec(entry.zone);
  const zone = url === null ? entry.zone : (url[2] as string);
  const project = url === null ? undefined : url[1];
  const found = [...index.workloads.values()].filter(
    ({ parts }) =>
      parts.cloud === "gcp" &&
      parts.zone === zone &&
      parts.instanceName === entry.name &&
      (project === undefined || parts.project === project),
  );
  const [only] = found;
  if (found.length === 1 && only !== undefined) return { ok: true, workload: only };
  if (found.length === 0) {
    const where = project === undefined ? `zone ${zone}` : `projects/${project}/zones/${zone}`;
    return {
      ok: false,
      field: "name",
      message: `no GCP workload of the estate is ${entry.name} in ${where}`,
    };
  }
  return {
    ok: false,
    field: "zone",
    message: `several estate workloads are ${entry.name} in zone ${zone}: give the zone's URL (…/projects/<project>/zones/${zone})`,
  };
}

export function checkNativeGcp(native: NativeGcp, index: EstateIndex, addresses: AddressBook): DraftIssue[] {
  const issues: DraftIssue[] = [];
  const names = new Map<string, number>();
  (native.firewalls ?? []).forEach((firewall, at) => {
    const path = ["native", "gcp", "firewalls", at];
    const network = firewallNetwork(index, firewall.network);
    if (network?.parts.cloud !== "gcp") {
      issues.push({
        path: [...path, "network"],
        message: `${firewall.network} is not a GCP network in networks (https://www.googleapis.com/compute/v1/projects/<project>/global/networks/<network>)`,
      });
      return;
    }
    const key = `${network.parts.project} ${firewall.name}`;
    const first = names.get(key);
    if (first !== undefined) {
      issues.push({
        path: [...path, "name"],
        message: `"${firewall.name}" is already the name of native.gcp.firewalls[${first}] in project ${network.parts.project}`,
      });
    } else names.set(key, at);
  });
  const named = new Map<string, number>();
  (native.instances ?? []).forEach((entry, at) => {
    const path = ["native", "gcp", "instances", at];
    const found = instanceWorkload(index, entry);
    if (!found.ok) {
      issues.push({ path: [...path, found.field], message: found.message });
      return;
    }
    entry.tags.items.forEach((tag, k) => {
      if (!RFC_1035.test(tag)) {
        issues.push({
          path: [...path, "tags", "items", k],
          message: `"${tag}" is not a network tag: 1-63 of a-z, 0-9 and -, starting with a letter and not ending with -`,
        });
      }
    });
    const first = named.get(found.workload.workload.id);
    if (first !== undefined) {
      issues.push({
        path: [...path, "name"],
        message: `${found.workload.workload.id} is already given at native.gcp.instances[${first}]`,
      });
      return;
    }
    named.set(found.workload.workload.id, at);
    issues.push(...checkGcpInterfaces(entry, found.workload, index, addresses, path));
  });
  return issues;
}
