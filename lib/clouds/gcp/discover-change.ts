/**
 * An event batch's change read alone (docs/architecture.md, "Targeted reads (GCP)"): in the
 * projects that hold the change's networks and workloads, only the re-read instances (by zone and
 * name), the owned rules of the change's destinations (by their name stem), the deny-all of each
 * other destination whose tag the change's rules may name (by name, to learn whether it is
 * applied), and the project's firewall quota usage (the rules not read still count against it).
 * What it costs depends on the change, not on the estate. Nothing here writes.
 */

import type { ChangeScope } from "../../compile/slice.js";
import { cloudOfId, parseNetworkId } from "../../inventory/ids.js";
import type { LabelConfig } from "../../inventory/labels.js";
import type { NetworkId, WorkloadId } from "../../inventory/model.js";
import { compareText } from "../../util/compare-text.js";
import { discoverEach } from "../common/discover-each.js";
import { workloadOf } from "../common/ids.js";
import { UnreadableObjects } from "../common/unreadable.js";
import type { CloudFinding, Discovery } from "../provider.js";
import type { GcpApi } from "./api.js";
import { managedInstances, networkIdOf, toGcpWorkload, unsealedRules } from "./discover.js";
import type { GcpFirewall, GcpInstance, GcpProjectState, GcpState } from "./model.js";
import { zoneName } from "./model.js";
import type { GcpOwnership } from "./ownership.js";
import { denyRuleName, destinationStem } from "./rule-names.js";
import { type ProjectSource, projectsToRead } from "./service-projects.js";

/** A destination or peer set of the change, by its key `<hash>@<network>`. */
interface Keyed {
  readonly key: string;
  readonly hash: string;
  readonly network: NetworkId;
  /** The network's project: where its rules are. */
  readonly project: string;
}

/** What of the change one project holds. */
interface ProjectPart {
  readonly workloads: readonly WorkloadId[];
  readonly destinations: readonly Keyed[];
  /** Peer sets that are no destination of the change: their destinations may carry a tag. */
  readonly peerSets: readonly Keyed[];
}

/**
 * The change alone, in the projects that hold it: `narrow` is the connection narrowed to these
 * networks and workloads (narrowGcp), as a whole read of the touched places would be.
 */
export async function discoverGcpChange(
  narrow: (networks: readonly NetworkId[], workloads: readonly WorkloadId[]) => ProjectSource,
  labels: LabelConfig,
  change: ChangeScope,
  ownership: GcpOwnership,
): Promise<Discovery<GcpState>> {
  const destinations = gcpKeys(change.destinations);
  const inChange = new Set(change.destinations);
  const peerSets = gcpKeys(change.peerSets.filter((key) => !inChange.has(key)));
  const workloads = change.workloads.filter((id) => cloudOfId(id) === "gcp");
  const narrowed = narrow(
    destinations.map((d) => d.network),
    workloads,
  );
  const read = await projectsToRead(narrowed);
  const found = await discoverEach(
    read.projects,
    (project) =>
      discoverProjectChange(narrowed.apiFor(project), labels, ownership, {
        workloads: workloads.filter((id) => workloadOf("gcp", id).project === project),
        destinations: destinations.filter((d) => d.project === project),
        peerSets: peerSets.filter((p) => p.project === project),
      }),
    (a, b) => compareText(a.project, b.project),
  );
  return { ...found, findings: [...read.findings, ...found.findings] };
}

/** The GCP keys among these, each split into its identity hash and network. */
function gcpKeys(keys: readonly string[]): Keyed[] {
  return keys.flatMap((key) => {
    const at = key.indexOf("@");
    const network = key.slice(at + 1);
    if (at <= 0 || cloudOfId(network) !== "gcp") return [];
    const parts = parseNetworkId(network);
    return parts.cloud === "gcp" ? [{ key, hash: key.slice(0, at), network, project: parts.project }] : [];
  });
}

async function discoverProjectChange(
  api: GcpApi,
  labels: LabelConfig,
  ownership: GcpOwnership,
  part: ProjectPart,
): Promise<Discovery<GcpProjectState>> {
  const findings: CloudFinding[] = [];
  const stems = part.destinations.map((d) => `${destinationStem(d.hash, d.network)}-`);
  const denies = part.peerSets.map((p) => denyRuleName(p.hash, p.network));
  const [read, rules, quota] = await Promise.all([
    readInstances(api, part.workloads),
    stems.length + denies.length === 0 ? [] : api.listFirewallsNamed({ stems, names: denies }),
    part.destinations.length === 0 ? undefined : api.getFirewallQuota(),
  ]);
  const instances = read.filter(managedInstances(api.project, labels, ownership, findings));
  const unmodelable = new UnreadableObjects("gcp-unreadable-object");
  const modelled = unmodelable.modelEach(
    instances,
    (instance) => ({ instance, workload: toGcpWorkload(api.project, instance) }),
    (instance) => `instance ${api.project}/${zoneName(instance.zone)}/${instance.name}`,
  );
  const workloads = modelled.flatMap(({ workload }) => (workload === undefined ? [] : [workload]));
  // The destinations' own rules are the state; the others' deny-alls only say who carries a tag.
  const firewalls = rules
    .filter((rule) => stems.some((stem) => rule.name.startsWith(stem)))
    .sort((a, b) => compareText(a.name, b.name));
  const networks = new Set([
    ...workloads.flatMap((workload) => workload.nics.map((nic) => nic.network)),
    ...part.destinations.map((d) => d.network),
  ]);
  // Every rule of the project counts against its quota: those not read, as rules of others.
  const unlisted = quota === undefined ? 0 : Math.max(0, quota.usage - firewalls.length);
  return {
    workloads: workloads.sort((a, b) => compareText(a.id, b.id)),
    networks: [...networks].sort(compareText).map((id) => ({ id })),
    state: {
      project: api.project,
      instances: modelled
        .map(({ instance }) => instance)
        .sort((a, b) => compareText(`${zoneName(a.zone)}/${a.name}`, `${zoneName(b.zone)}/${b.name}`)),
      firewalls,
      ...(unlisted > 0 ? { unlistedRules: unlisted } : {}),
      change: { carriers: carriers(api.project, part.peerSets, rules, ownership) },
    },
    findings: [
      ...findings,
      ...unsealedRules(api.project, rules, ownership),
      ...api.takeUnreadable(),
      ...unmodelable.take(),
    ],
  };
}

/** The re-read instances that still exist. */
async function readInstances(api: GcpApi, workloads: readonly WorkloadId[]): Promise<GcpInstance[]> {
  const read = await Promise.all(
    workloads.map((id) => {
      const { zone, instanceName } = workloadOf("gcp", id);
      return api.getInstance(zone, instanceName);
    }),
  );
  return read.flatMap((instance) => (instance === undefined ? [] : [instance]));
}

/**
 * The peer sets whose own destination is applied (its deny-all was read, sealed, in that
 * network): their members carry the destination's tag, which the change's rules name. A deny-all
 * with the marker but not the seal does not count (the read reports it).
 */
function carriers(
  project: string,
  peerSets: readonly Keyed[],
  rules: readonly GcpFirewall[],
  ownership: GcpOwnership,
): string[] {
  const byName = new Map(rules.map((rule) => [rule.name, rule]));
  return peerSets
    .filter((peerSet) => {
      const rule = byName.get(denyRuleName(peerSet.hash, peerSet.network));
      return (
        rule !== undefined &&
        ownership.ownsFirewall(project, rule) &&
        networkIdOf(rule.network) === peerSet.network
      );
    })
    .map((peerSet) => peerSet.key)
    .sort(compareText);
}
