/**
 * Enforced egress in Azure (docs/clouds.md, "Azure deny rules and egress"): after a plan is applied
 * to the simulator, every enforced NIC's NSG says, in both directions, what docs/policy.md says
 * (the policy oracle, test/compile/oracle.ts): its ingress for every source address, its egress for
 * every destination address, probe by probe; under tight quotas; and a second plan is empty.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffAzure } from "../../../lib/clouds/azure/diff.js";
import {
  AZURE_METADATA_ADDRESS,
  AZURE_PLATFORM_ADDRESS,
  evaluateAzure,
} from "../../../lib/clouds/azure/evaluate.js";
import { materializeAzure, networkOfNic, nsgName } from "../../../lib/clouds/azure/materialize.js";
import type { NetworkInterface } from "../../../lib/clouds/azure/model.js";
import type { DestinationIntent } from "../../../lib/compile/model.js";
import type { Workload } from "../../../lib/inventory/model.js";
import type { Attachment, Policy } from "../../../lib/policy/model.js";
import { egressPolicyArb, NETWORKS } from "../../compile/arbitraries.js";
import { naiveEgress } from "../../compile/oracle.js";
import { AZURE_OWNERSHIP } from "../../support/seals.js";
import { policyAllows, probeAddresses, probes } from "../intent-probes.js";
import { estateArb as allEstatesArb, quotasArb } from "./arbitraries.js";
import { AZURE_VNETS, AzureTestbed, SUBSCRIPTION } from "./harness.js";

const IDS = [
  `azure:${SUBSCRIPTION}:rg-app:vm-1`,
  `azure:${SUBSCRIPTION}:rg-app:vm-2`,
  `azure:${SUBSCRIPTION}:rg-app:vm-3`,
  `azure:${SUBSCRIPTION}:rg-app:vm-4`,
  `azure:${SUBSCRIPTION}:rg-data:vm-5`,
  "aws:111111111111:us-east-1:i-0a00000000000001",
  "gcp:shop-prod:us-central1-a:web-1",
];
const estateArb = allEstatesArb(
  IDS.map((id) => ({
    id,
    networks: id.startsWith("azure:")
      ? Object.keys(AZURE_VNETS)
      : [id.startsWith("aws:") ? (NETWORKS[0] as string) : (NETWORKS[3] as string)],
  })),
);

type Checked = Record<"nics" | "egressAllowed" | "egressDenied" | "open" | "unfit" | "conflicts", number>;

/** The NICs of a destination's members in its network. */
function nicsOf(destination: DestinationIntent, nics: readonly NetworkInterface[]): NetworkInterface[] {
  const members = new Set(destination.members.map((m) => m.workload.split(":")[3]?.toLowerCase()));
  return nics.filter(
    (nic) =>
      networkOfNic(nic)?.toLowerCase() === destination.network.toLowerCase() &&
      members.has(nic.virtualMachine?.id.split("/").at(-1)?.toLowerCase()),
  );
}

/** Both directions of one enforced NIC, probe by probe, against the oracle. */
function checkNic(
  nic: NetworkInterface,
  destination: DestinationIntent,
  context: {
    readonly policy: Policy;
    readonly estate: readonly Workload[];
    readonly reach: ReturnType<typeof evaluateAzure>;
    readonly checked: Checked;
  },
): void {
  const { policy, estate, reach, checked } = context;
  const ingress = policyAllows(policy, estate);
  const egress = naiveEgress(policy, { workloads: [...estate], networks: [] });
  const source = estate.find((w) => w.id === destination.members[0]?.workload) as Workload;
  checked.nics++;
  for (const address of probeAddresses(estate)) {
    for (const [protocol, port] of probes(policy)) {
      const inbound = reach.explain(nic.id, address, protocol, port);
      expect(inbound.access === "Allow", `${nic.name} ← ${address} ${protocol}/${port}`).toBe(
        ingress(destination, address, protocol, port),
      );
      const expected = egress(source, destination.network, address, [protocol, port]);
      const outbound = reach.explainEgress(nic.id, address, protocol, port);
      const where = `${nic.name} → ${address} ${protocol}/${port}: ${outbound.rule?.name}`;
      // Egress open: the NSG's default outbound rules let everything out.
      expect(outbound.access === "Allow", where).toBe(expected ?? true);
      checked[expected === undefined ? "open" : expected ? "egressAllowed" : "egressDenied"]++;
    }
  }
  // The platform's own services stay reachable whatever the policy says.
  expect(reach.explainEgress(nic.id, AZURE_PLATFORM_ADDRESS, "udp", 53).access).toBe("Allow");
  expect(reach.explainEgress(nic.id, AZURE_METADATA_ADDRESS, "tcp", 80).access).toBe("Allow");
}

describe("Azure egress: evaluate(apply(materialize(intent))) equals the policy in both directions", () => {
  it("for random v2 policies (denies, egress enforced on some rulesets), estates, quotas and attachments", async () => {
    const checked: Checked = { nics: 0, egressAllowed: 0, egressDenied: 0, open: 0, unfit: 0, conflicts: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.option(egressPolicyArb, { nil: undefined }),
        egressPolicyArb,
        estateArb,
        quotasArb,
        fc.constantFrom<Attachment>("exclusive", "additive"),
        fc.subarray(IDS),
        async (earlierPolicy, policy, estate, quotas, attachment, withCustomerNsg) => {
          const azure = estate.filter((w) => w.id.startsWith("azure:"));
          const others = estate.filter((w) => !w.id.startsWith("azure:"));
          const bed = new AzureTestbed(azure, quotas, new Set(withCustomerNsg));
          if (earlierPolicy) await bed.reconcile(earlierPolicy, others, attachment);
          const { intent, desired } = await bed.reconcile(policy, others, attachment);
          const after = bed.state();
          const again = materializeAzure(intent, after, bed.options(policy, attachment));
          expect(diffAzure(again, after, AZURE_OWNERSHIP)).toEqual([]);

          const reach = evaluateAzure(after);
          const nics = after.flatMap((s) => s.networkInterfaces);
          const codes = (code: string) =>
            new Set(desired.findings.filter((f) => f.code === code).map((f) => f.subject.toLowerCase()));
          const unfit = codes("azure-quota");
          const conflicts = codes("azure-additive-conflict");
          const egressNotApplied = codes("azure-additive-egress");
          const egressKeys = new Set((intent.egress ?? []).map((e) => e.key));
          for (const destination of intent.destinations) {
            if (destination.cloud !== "azure" || destination.enforcement !== "enforced") continue;
            const targets = nicsOf(destination, nics);
            const region = targets[0]?.location ?? "";
            if (unfit.has(`${SUBSCRIPTION}/${nsgName(destination.hash, region)}`.toLowerCase())) {
              checked.unfit++;
              continue;
            }
            for (const nic of targets) {
              if (conflicts.has(nic.id.toLowerCase())) {
                checked.conflicts++;
                // Reported, not applied: its own NSG decides its egress.
                expect(egressNotApplied.has(nic.id.toLowerCase())).toBe(egressKeys.has(destination.key));
                continue;
              }
              checkNic(nic, destination, { policy, estate, reach, checked });
            }
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(checked.nics).toBeGreaterThan(50);
    expect(checked.egressAllowed).toBeGreaterThan(100);
    expect(checked.egressDenied).toBeGreaterThan(1000);
    expect(checked.open).toBeGreaterThan(1000);
    expect(checked.unfit).toBeGreaterThan(5);
    expect(checked.conflicts).toBeGreaterThan(3);
  }, 600_000);
});
