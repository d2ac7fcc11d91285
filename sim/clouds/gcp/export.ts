/**
 * Compute as read → the parts of an Estate file (docs/live.md, "Exporting your estate"): the
 * networks of the exported instances and rules (each with the smallest range holding its
 * subnetworks: an estate network has one range, a VPC network one per subnetwork), the instances
 * discovery read as workloads (on their first NIC), and the firewall rules and instances' network
 * tags as `native.gcp`. Pure: the reads are export-read.ts's.
 *
 * What segsync owns is sealed under the live record key, which the simulator does not hold: each
 * seal that verifies is sealed again under the simulator's key, one that does not stays as it is.
 */

import { networkIdOf, toGcpWorkload } from "../../../lib/clouds/gcp/discover.js";
import {
  type GcpFirewall,
  type GcpInstance,
  type GcpProjectState,
  type GcpSubnetwork,
  zoneName,
} from "../../../lib/clouds/gcp/model.js";
import {
  DESCRIPTION_MARKER,
  type GcpOwnership,
  isOwnedTag,
  SEAL_TAG_PREFIX,
} from "../../../lib/clouds/gcp/ownership.js";
import type { CloudFinding } from "../../../lib/clouds/provider.js";
import { coveringIpv4Cidr } from "../../../lib/net/cidr.js";
import type { EstateNetwork, EstateWorkload } from "../../estate-core-schema.js";
import { acceptedTags, type EstateParts, exportFinding } from "../common/export.js";
import type { NativeFirewall, NativeGcp, NativeGcpInstance } from "./native-schema.js";
import { gcpTagRules } from "./tag-rules.js";

export interface GcpExportRead {
  readonly state: GcpProjectState;
  /** Every subnetwork read, in every project of the export: a Shared VPC network is in its host project. */
  readonly subnetworks: readonly GcpSubnetwork[];
}

export interface GcpOwners {
  readonly live: GcpOwnership;
  readonly simulator: GcpOwnership;
}

export type GcpEstateParts = EstateParts<NativeGcp>;

export function exportGcp(read: GcpExportRead, owners: GcpOwners): GcpEstateParts {
  const { state } = read;
  const { project } = state;
  const findings: CloudFinding[] = [];
  const counter = { resealed: 0 };

  const placed: { workload: EstateWorkload; instance: GcpInstance }[] = [];
  for (const instance of state.instances) {
    const workload = toGcpWorkload(project, instance);
    const [primary, ...secondary] = workload?.nics ?? [];
    if (workload === undefined || primary === undefined) continue;
    if (secondary.length > 0) {
      findings.push(
        exportFinding(
          "gcp-export-secondary-nic",
          workload.id,
          `${workload.id}: only its first NIC is exported (an estate workload has one NIC); ${secondary.map((nic) => nic.id).join(", ")} left out`,
        ),
      );
    }
    placed.push({
      instance,
      workload: {
        id: workload.id,
        network: primary.network,
        privateIp: primary.privateIp,
        ...(primary.publicIp === undefined ? {} : { publicIp: primary.publicIp }),
        state: workload.state,
        tags: acceptedTags("gcp", gcpTagRules, workload.id, workload.tags, findings, "label"),
      },
    });
  }
  const networkIds = new Set([
    ...placed.map(({ workload }) => workload.network),
    ...state.firewalls.flatMap((firewall) => networkIdOf(firewall.network) ?? []),
  ]);
  const networks = exportNetworks([...networkIds], read.subnetworks, findings);
  const listed = new Set(networks.map((network) => network.id));
  const kept = placed.filter(({ workload }) => listed.has(workload.network));
  return {
    networks,
    workloads: kept.map(({ workload }) => workload),
    native: {
      firewalls: state.firewalls
        .filter((firewall) => listed.has(networkIdOf(firewall.network) ?? ""))
        .map((firewall) => exportFirewall(project, firewall, owners, counter)),
      instances: kept.map(({ instance }) => exportInstance(project, instance, owners, counter)),
    },
    findings,
    resealed: counter.resealed,
  };
}

/** Each network with the smallest range holding its subnetworks; one without any is a finding, and left out. */
function exportNetworks(
  ids: readonly string[],
  subnetworks: readonly GcpSubnetwork[],
  findings: CloudFinding[],
): EstateNetwork[] {
  const networks: EstateNetwork[] = [];
  for (const id of [...ids].sort()) {
    const ranges = subnetworks
      .filter((subnet) => networkIdOf(subnet.network) === id)
      .map((s) => s.ipCidrRange);
    const cidr = coveringIpv4Cidr(ranges);
    if (cidr === undefined) {
      findings.push(
        exportFinding(
          "gcp-export-network-range",
          id,
          `${id}: ${ranges.length === 0 ? "no subnetwork of it was read (is its project in the configuration?)" : `its subnetworks' ranges (${ranges.join(", ")}) are not IPv4 CIDRs`}; the network and what is in it are left out of the export`,
        ),
      );
      continue;
    }
    if (ranges.length > 1) {
      findings.push(
        exportFinding(
          "gcp-export-network-range",
          id,
          `${id}: ${ranges.length} subnetworks (${ranges.join(", ")}); the estate holds one range for the network, ${cidr}`,
        ),
      );
    }
    networks.push({ id, cidr });
  }
  return networks;
}

function exportFirewall(
  project: string,
  firewall: GcpFirewall,
  owners: GcpOwners,
  counter: { resealed: number },
): NativeFirewall {
  const { description } = firewall;
  let resealed = description;
  if (description !== undefined && owners.live.ownsFirewall(project, firewall)) {
    // `<marker> <seal> <text>`: the seal replaced, the text kept.
    const seal = description.slice(DESCRIPTION_MARKER.length + 1).split(" ", 1)[0] ?? "";
    const fresh = owners.simulator.describe(project, firewall.name, "").split(" ")[1] ?? "";
    resealed = `${DESCRIPTION_MARKER} ${fresh}${description.slice(DESCRIPTION_MARKER.length + 1 + seal.length)}`;
    counter.resealed++;
  }
  const copy = (list: readonly string[] | undefined) => (list === undefined ? undefined : [...list]);
  const fields: NativeFirewall = {
    name: firewall.name,
    network: firewall.network,
    priority: firewall.priority,
    direction: firewall.direction,
    ...(firewall.id === undefined ? {} : { id: firewall.id }),
    ...(resealed === undefined ? {} : { description: resealed }),
    ...(firewall.disabled === undefined ? {} : { disabled: firewall.disabled }),
  };
  const lists = {
    sourceRanges: copy(firewall.sourceRanges),
    sourceTags: copy(firewall.sourceTags),
    sourceServiceAccounts: copy(firewall.sourceServiceAccounts),
    targetTags: copy(firewall.targetTags),
    targetServiceAccounts: copy(firewall.targetServiceAccounts),
    destinationRanges: copy(firewall.destinationRanges),
    allowed: firewall.allowed?.map((rule) => ({
      ...rule,
      ...(rule.ports === undefined ? {} : { ports: [...rule.ports] }),
    })),
    denied: firewall.denied?.map((rule) => ({
      ...rule,
      ...(rule.ports === undefined ? {} : { ports: [...rule.ports] }),
    })),
  };
  return {
    ...fields,
    ...Object.fromEntries(Object.entries(lists).filter(([, value]) => value !== undefined)),
  } as NativeFirewall;
}

function exportInstance(
  project: string,
  instance: GcpInstance,
  owners: GcpOwners,
  counter: { resealed: number },
): NativeGcpInstance {
  const zone = zoneName(instance.zone);
  let items = [...(instance.tags.items ?? [])];
  if (owners.live.sealedTags(project, zone, instance.name, items)) {
    const owned = items.filter((tag) => isOwnedTag(tag) && !tag.startsWith(SEAL_TAG_PREFIX));
    const seal = owners.simulator.sealTag(project, zone, instance.name, owned);
    items = items.map((tag) => (tag.startsWith(SEAL_TAG_PREFIX) ? seal : tag));
    counter.resealed++;
  }
  return {
    name: instance.name,
    // The zone's URL names the project too: a zone name alone is ambiguous across projects.
    zone: `https://www.googleapis.com/compute/v1/projects/${project}/zones/${zone}`,
    tags: {
      items,
      ...(instance.tags.fingerprint === undefined ? {} : { fingerprint: instance.tags.fingerprint }),
    },
  };
}
