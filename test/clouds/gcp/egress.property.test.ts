/**
 * Policy v2 in GCP (docs/clouds.md, "GCP egress and platform addresses"): random policies with
 * deny rules and enforced egress on some rulesets, random estates and limits; after apply, both
 * ends of every probe equal the policy oracle (test/compile/oracle.ts): the destination's ingress
 * (explain) and the source's egress (explainEgress); Google's platform addresses stay reachable;
 * a second plan is empty.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffGcp } from "../../../lib/clouds/gcp/diff.js";
import { evaluateGcp, type GcpReachability } from "../../../lib/clouds/gcp/evaluate.js";
import { materializeGcp } from "../../../lib/clouds/gcp/materialize.js";
import type { Intent } from "../../../lib/compile/model.js";
import { parseNetworkId, parseWorkloadId } from "../../../lib/inventory/ids.js";
import type { Workload } from "../../../lib/inventory/model.js";
import type { Attachment, Policy } from "../../../lib/policy/model.js";
import { egressPolicyArb } from "../../compile/arbitraries.js";
import { naiveEgress } from "../../compile/oracle.js";
import { GCP_OWNERSHIP } from "../../support/seals.js";
import { policyAllows, probeAddresses, probes } from "../intent-probes.js";
import { estateArb, limitsArb } from "./estate-arbitraries.js";
import { GcpTestbed, PROJECT } from "./harness.js";

interface Checked {
  ingress: number;
  egressAllowed: number;
  egressDenied: number;
  open: number;
  unfit: number;
}

/** The instance's verdict on a flow it opens, by its workload id and NIC network. */
function egressOf(reach: GcpReachability, workload: string, network: string) {
  const id = parseWorkloadId(workload);
  const net = parseNetworkId(network);
  if (id.cloud !== "gcp" || net.cloud !== "gcp") throw new TypeError(`${workload} is not in GCP`);
  return (address: string, protocol: "tcp" | "udp" | "icmp", port: number) =>
    reach.explainEgress(
      PROJECT,
      id.zone,
      id.instanceName,
      `${PROJECT}/${net.networkName}`,
      address,
      protocol,
      port,
    );
}

/** Every running GCP workload's egress, NIC by NIC: the oracle's where enforced and applied, open elsewhere. */
function checkEgress(
  policy: Policy,
  estate: readonly Workload[],
  intent: Intent,
  unfit: ReadonlySet<string>,
  reach: GcpReachability,
  attachment: Attachment,
  checked: Checked,
): void {
  const oracle = naiveEgress(policy, { workloads: [...estate], networks: [] });
  const addresses = probeAddresses(estate);
  for (const src of estate.filter((w) => w.state === "running" && w.id.startsWith("gcp:"))) {
    for (const network of new Set(src.nics.map((nic) => nic.network))) {
      const entry = intent.egress?.find(
        (e) => e.network === network && e.members.some((m) => m.workload === src.id),
      );
      if (entry && unfit.has(entry.key)) {
        checked.unfit++;
        continue;
      }
      const verdict = egressOf(reach, src.id, network);
      for (const address of addresses)
        for (const [protocol, port] of probes(policy)) {
          const expected = oracle(src, network, address, [protocol, port]);
          const got = verdict(address, protocol, port);
          const where = `${src.id}@${network} → ${address} ${protocol}/${port}: ${got.rule?.name ?? got.implied}`;
          if (expected === undefined) {
            checked.open++;
            expect(got.access, where).toBe("allow");
            continue;
          }
          checked[expected ? "egressAllowed" : "egressDenied"]++;
          if (attachment === "exclusive" || expected) expect(got.access === "allow", where).toBe(expected);
          else if (got.access === "allow") expect(got.rule?.name.startsWith("segsync-"), where).toBe(false);
        }
      if (entry === undefined) continue;
      // The platform stays reachable whatever the policy says: the metadata server, the API VIPs.
      expect(verdict("169.254.169.254", "udp", 53).access).toBe("allow");
      expect(verdict("199.36.153.9", "tcp", 443).access).toBe("allow");
      expect(verdict("199.36.153.5", "tcp", 80).access).toBe("allow");
      expect(verdict("199.36.153.9", "tcp", 22).access).toBe("deny");
    }
  }
}

/** Every enforced, applied destination's ingress, member by member: the oracle's. */
function checkIngress(
  policy: Policy,
  estate: readonly Workload[],
  intent: Intent,
  unfit: ReadonlySet<string>,
  reach: GcpReachability,
  attachment: Attachment,
  checked: Checked,
): void {
  const oracle = policyAllows(policy, estate);
  const addresses = probeAddresses(estate);
  for (const destination of intent.destinations) {
    if (destination.cloud !== "gcp" || destination.enforcement !== "enforced") continue;
    if (unfit.has(destination.key)) continue;
    const network = parseNetworkId(destination.network);
    if (network.cloud !== "gcp") continue;
    for (const member of destination.members) {
      const id = parseWorkloadId(member.workload);
      if (id.cloud !== "gcp") continue;
      for (const address of addresses)
        for (const [protocol, port] of probes(policy)) {
          const expected = oracle(destination, address, protocol, port);
          const network_ = `${PROJECT}/${network.networkName}`;
          const got = reach.explain(PROJECT, id.zone, id.instanceName, network_, address, protocol, port);
          checked.ingress++;
          const where = `${member.workload} ← ${address} ${protocol}/${port}: ${got.rule?.name}`;
          if (attachment === "exclusive" || expected) expect(got.access === "allow", where).toBe(expected);
          else if (got.access === "allow") expect(got.rule?.name.startsWith("segsync-"), where).toBe(false);
        }
    }
  }
}

describe("GCP with deny rules and enforced egress: both ends equal the policy", () => {
  it("for random v2 policies, estates, limits and attachment modes; a second plan is empty", async () => {
    const checked: Checked = { ingress: 0, egressAllowed: 0, egressDenied: 0, open: 0, unfit: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.option(egressPolicyArb, { nil: undefined }),
        egressPolicyArb,
        estateArb,
        limitsArb,
        fc.constantFrom<Attachment>("exclusive", "additive"),
        async (earlierPolicy, policy, estate, limits, attachment) => {
          const gcp = estate.filter((w) => w.id.startsWith("gcp:"));
          const others = estate.filter((w) => !w.id.startsWith("gcp:"));
          const bed = new GcpTestbed(gcp, limits);
          if (earlierPolicy) await bed.reconcile(earlierPolicy, others, attachment);
          const { intent, desired } = await bed.reconcile(policy, others, attachment);
          const after = bed.state();
          expect(
            diffGcp(materializeGcp(intent, after, bed.options(attachment)), after, GCP_OWNERSHIP),
          ).toEqual([]);
          const unfit = new Set(desired.findings.filter((f) => f.code === "gcp-quota").map((f) => f.subject));
          const reach = evaluateGcp(after);
          checkIngress(policy, estate, intent, unfit, reach, attachment, checked);
          checkEgress(policy, estate, intent, unfit, reach, attachment, checked);
        },
      ),
      { numRuns: 200 },
    );
    expect(checked.ingress).toBeGreaterThan(1000);
    expect(checked.egressAllowed).toBeGreaterThan(40);
    expect(checked.egressDenied).toBeGreaterThan(1000);
    expect(checked.open).toBeGreaterThan(1000);
    expect(checked.unfit).toBeGreaterThan(2);
  }, 300_000);
});
