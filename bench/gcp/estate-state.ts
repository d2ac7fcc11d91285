/**
 * The generated estate's GCP workloads as Compute would describe them: one GcpProjectState per
 * project, in the shapes and order SimulatedCompute.state() returns (instances by zone then name,
 * no firewall rule), so that a SimulatedCompute loaded from it (`new SimulatedCompute(project)`)
 * starts from exactly the same Compute. Built directly, in one pass, rather than through
 * createInstance and its checks.
 *
 * What Compute would give them: the workload's labels, no network tag, one NIC per inventory NIC
 * (`nic0`, …) in its network, an external access config where the workload has a public address
 * (without its natIP while the instance is stopped: TERMINATED, as Compute reports a stopped VM);
 * ids and fingerprints made up, deterministically.
 */
import { createHash } from "node:crypto";
import type { GcpInstance, GcpProjectState, GcpState } from "../../lib/clouds/gcp/model.js";
import { networkUrl } from "../../lib/clouds/gcp/model.js";
import type { Workload } from "../../lib/inventory/model.js";
import { compareText } from "../../lib/util/compare-text.js";
import { COMPUTE_ROOT, instancePath, zoneUrl } from "../../sim/clouds/gcp/network.js";
import { networkOf, workloadOf } from "../common/ids.js";

export type GcpInstanceRef = NonNullable<ReturnType<typeof gcpInstanceOf>>;

/** `gcp:<project>:<zone>:<instanceName>` → its parts; undefined for other clouds. */
export function gcpInstanceOf(workloadId: string) {
  return workloadOf("gcp", workloadId);
}

/** `gcp:<project>:<networkName>` → its project, name and URL. */
export function gcpNetworkOf(network: string): { project: string; name: string; url: string } {
  const { project, networkName } = networkOf("gcp", network);
  return { project, name: networkName, url: networkUrl(project, networkName) };
}

/** Every GCP workload of the inventory, as the Compute of its project describes it. */
export function gcpStateOf(workloads: readonly Workload[]): GcpState {
  const projects = new Map<string, { ref: GcpInstanceRef; workload: Workload }[]>();
  for (const workload of workloads) {
    const ref = gcpInstanceOf(workload.id);
    if (ref === undefined || workload.nics.length === 0) continue;
    const list = projects.get(ref.project);
    if (list) list.push({ ref, workload });
    else projects.set(ref.project, [{ ref, workload }]);
  }
  return [...projects.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([project, members]): GcpProjectState => {
      const instances = members
        .sort(
          (a, b) =>
            compareText(a.ref.zone, b.ref.zone) || compareText(a.ref.instanceName, b.ref.instanceName),
        )
        .map(({ ref, workload }, index) => describeInstance(ref, workload, index));
      return { project, instances, firewalls: [] };
    });
}

/** Compute's 19-digit ids, unique in the project. */
const FIRST_ID = 10n ** 18n;

function describeInstance(ref: GcpInstanceRef, workload: Workload, index: number): GcpInstance {
  const running = workload.state === "running";
  const labels = Object.entries(workload.tags).sort(([a], [b]) => compareText(a, b));
  return {
    id: (FIRST_ID + BigInt(index)).toString(),
    name: ref.instanceName,
    zone: zoneUrl(ref.project, ref.zone),
    status: running ? "RUNNING" : "TERMINATED",
    ...(labels.length === 0 ? {} : { labels: Object.fromEntries(labels) }),
    labelFingerprint: fingerprint(`${workload.id}/labels`),
    tags: { fingerprint: fingerprint(`${workload.id}/tags`) },
    networkInterfaces: workload.nics.map((nic, nicIndex) => ({
      name: nic.id ?? `nic${nicIndex}`,
      network: gcpNetworkOf(nic.network).url,
      networkIP: nic.privateIp,
      // Stopping releases an ephemeral natIP; the access config stays.
      ...(nic.publicIp === undefined
        ? {}
        : {
            accessConfigs: [
              { name: "External NAT", type: "ONE_TO_ONE_NAT", ...(running ? { natIP: nic.publicIp } : {}) },
            ],
          }),
    })),
    selfLink: `${COMPUTE_ROOT}/${instancePath(ref.project, ref.zone, ref.instanceName)}`,
  };
}

/** 8 opaque bytes in base64, as Compute's fingerprints are. */
function fingerprint(text: string): string {
  return Buffer.from(createHash("sha256").update(text).digest("hex").slice(0, 16), "hex").toString("base64");
}
