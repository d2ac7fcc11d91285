import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffAzure } from "../../../lib/clouds/azure/diff.js";
import { evaluateAzure } from "../../../lib/clouds/azure/evaluate.js";
import { materializeAzure, networkOfNic, nsgName } from "../../../lib/clouds/azure/materialize.js";
import type { Attachment } from "../../../lib/policy/model.js";
import { NETWORKS, policyArb } from "../../compile/arbitraries.js";
import { AZURE_OWNERSHIP } from "../../support/seals.js";
import { intentAllows, policyAllows, probeAddresses, probes } from "../intent-probes.js";
import { estateArb as allEstatesArb, quotasArb } from "./arbitraries.js";
import { AZURE_VNETS, AzureTestbed, SUBSCRIPTION } from "./harness.js";

const AZURE_NETWORKS = Object.keys(AZURE_VNETS);
const IDS = [
  `azure:${SUBSCRIPTION}:rg-app:vm-1`,
  `azure:${SUBSCRIPTION}:rg-app:vm-2`,
  `azure:${SUBSCRIPTION}:rg-app:vm-3`,
  `azure:${SUBSCRIPTION}:rg-app:vm-4`,
  `azure:${SUBSCRIPTION}:rg-data:vm-5`,
  "aws:111111111111:us-east-1:i-0a00000000000001",
  "aws:111111111111:us-east-1:i-0a00000000000002",
  "gcp:shop-prod:us-central1-a:web-1",
];

const estateArb = allEstatesArb(
  IDS.map((id) => ({
    id,
    networks: id.startsWith("azure:")
      ? AZURE_NETWORKS
      : [id.startsWith("aws:") ? (NETWORKS[0] as string) : (NETWORKS[3] as string)],
  })),
);

describe("Azure: evaluate(apply(materialize(intent))) equals the intent", () => {
  it("for random policies, estates, quotas and attachment modes", async () => {
    const checked = { destinations: 0, allowed: 0, denied: 0, unfit: 0, conflicts: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.option(policyArb, { nil: undefined }),
        policyArb,
        estateArb,
        quotasArb,
        fc.constantFrom<Attachment>("exclusive", "additive"),
        fc.subarray(IDS),
        async (earlierPolicy, policy, estate, quotas, attachment, withCustomerNsg) => {
          const azure = estate.filter((w) => w.id.startsWith("azure:"));
          const others = estate.filter((w) => !w.id.startsWith("azure:"));
          const bed = new AzureTestbed(azure, quotas, new Set(withCustomerNsg));
          if (earlierPolicy) await bed.reconcile(earlierPolicy, others, attachment);
          const before = bed.state();
          const { intent, desired } = await bed.reconcile(policy, others, attachment);
          const after = bed.state();

          expect(
            diffAzure(
              materializeAzure(intent, after, bed.options(policy, attachment)),
              after,
              AZURE_OWNERSHIP,
            ),
          ).toEqual([]);

          const reach = evaluateAzure(after);
          const nics = after.flatMap((s) => s.networkInterfaces);
          const addresses = probeAddresses(estate);
          // What docs/policy.md says, read with no compiler: the intent and the cloud must both say it.
          const oracle = policyAllows(policy, estate);
          const unfit = new Set(
            desired.findings.filter((f) => f.code === "azure-quota").map((f) => f.subject),
          );
          const conflicts = new Set(
            desired.findings
              .filter((f) => f.code === "azure-additive-conflict")
              .map((f) => f.subject.toLowerCase()),
          );
          for (const destination of intent.destinations) {
            if (destination.cloud !== "azure" || destination.enforcement !== "enforced") continue;
            const members = new Set(destination.members.map((m) => m.workload.split(":")[3]?.toLowerCase()));
            const targets = nics.filter(
              (nic) =>
                networkOfNic(nic)?.toLowerCase() === destination.network.toLowerCase() &&
                members.has(nic.virtualMachine?.id.split("/").at(-1)?.toLowerCase()),
            );
            const region = targets[0]?.location ?? "";
            if (unfit.has(`${SUBSCRIPTION}/${nsgName(destination.hash, region)}`)) {
              checked.unfit++;
              const previous = before.flatMap((s) => s.networkInterfaces);
              for (const nic of targets)
                expect(nic.networkSecurityGroup?.id).toEqual(
                  previous.find((p) => p.id === nic.id)?.networkSecurityGroup?.id,
                );
              continue;
            }
            checked.destinations++;
            for (const nic of targets) {
              if (conflicts.has(nic.id.toLowerCase())) {
                checked.conflicts++;
                continue;
              }
              expect(nic.networkSecurityGroup?.id.toLowerCase()).toContain(
                nsgName(destination.hash, region).toLowerCase(),
              );
              for (const address of addresses) {
                for (const [protocol, port] of probes(policy)) {
                  const expected = oracle(destination, address, protocol, port);
                  expect(
                    intentAllows(intent, destination, address, protocol, port),
                    `intent: ${address} ${protocol}/${port}`,
                  ).toBe(expected);
                  checked[expected ? "allowed" : "denied"]++;
                  const verdict = reach.explain(nic.id, address, protocol, port);
                  expect(
                    verdict.access === "Allow",
                    `${destination.identity} ${nic.name} ← ${address} ${protocol}/${port}: ${verdict.rule?.name}`,
                  ).toBe(expected);
                }
              }
            }
          }
        },
      ),
      { numRuns: 500 },
    );
    expect(checked.destinations).toBeGreaterThan(200);
    expect(checked.allowed).toBeGreaterThan(1000);
    expect(checked.unfit).toBeGreaterThan(10);
    expect(checked.conflicts).toBeGreaterThan(10);
  }, 300_000);
});
