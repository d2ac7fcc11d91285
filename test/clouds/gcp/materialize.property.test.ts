import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffGcp } from "../../../lib/clouds/gcp/diff.js";
import { evaluateGcp } from "../../../lib/clouds/gcp/evaluate.js";
import { materializeGcp, ownedTag } from "../../../lib/clouds/gcp/materialize.js";
import { parseNetworkId } from "../../../lib/inventory/ids.js";
import type { Attachment } from "../../../lib/policy/model.js";
import { policyArb } from "../../compile/arbitraries.js";
import { GCP_OWNERSHIP } from "../../support/seals.js";
import { intentAllows, policyAllows, probeAddresses, probes } from "../intent-probes.js";
import { estateArb, limitsArb } from "./estate-arbitraries.js";
import { GcpTestbed, PROJECT } from "./harness.js";

describe("GCP: evaluate(apply(materialize(intent))) equals the intent", () => {
  it("for random policies, estates, limits and attachment modes", async () => {
    const checked = { destinations: 0, allowed: 0, denied: 0, unfit: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.option(policyArb, { nil: undefined }),
        policyArb,
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

          const reach = evaluateGcp(after);
          const addresses = probeAddresses(estate);
          // What docs/policy.md says, read with no compiler: the intent and the cloud must both say it.
          const oracle = policyAllows(policy, estate);
          const unfit = new Set(desired.findings.filter((f) => f.code === "gcp-quota").map((f) => f.subject));
          for (const destination of intent.destinations) {
            if (destination.cloud !== "gcp" || destination.enforcement !== "enforced") continue;
            if (unfit.has(destination.key)) {
              checked.unfit++;
              continue;
            }
            const network = parseNetworkId(destination.network);
            if (network.cloud !== "gcp") continue;
            checked.destinations++;
            for (const member of destination.members) {
              const [, , zone = "", name = ""] = member.workload.split(":");
              const instance = after[0]?.instances.find((i) => i.name === name);
              expect(instance?.tags.items).toContain(ownedTag(destination.hash));
              for (const address of addresses) {
                for (const [protocol, port] of probes(policy)) {
                  const expected = oracle(destination, address, protocol, port);
                  expect(
                    intentAllows(intent, destination, address, protocol, port),
                    `intent: ${address} ${protocol}/${port}`,
                  ).toBe(expected);
                  const verdict = reach.explain(
                    PROJECT,
                    zone,
                    name,
                    `${PROJECT}/${network.networkName}`,
                    address,
                    protocol,
                    port,
                  );
                  checked[expected ? "allowed" : "denied"]++;
                  const where = `${destination.identity} ${name}@${network.networkName} ← ${address} ${protocol}/${port}: ${verdict.rule?.name}`;
                  // Exclusive: segsync decides first. Additive: customer rules (here the default
                  // network's) may allow more, never less.
                  if (attachment === "exclusive") expect(verdict.access === "allow", where).toBe(expected);
                  else if (expected) expect(verdict.access, where).toBe("allow");
                  else if (verdict.access === "allow")
                    expect(verdict.rule?.name.startsWith("segsync-"), where).toBe(false);
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
    // The runs are random, so how often a destination is over the quota varies: once in CI
    // (2026-12-05) only 8 times in 500. The check is that such destinations come up at all.
    expect(checked.unfit).toBeGreaterThan(2);
  }, 300_000);
});
