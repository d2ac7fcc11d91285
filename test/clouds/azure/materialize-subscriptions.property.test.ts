import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AzureDesired, AzureFinding } from "../../../lib/clouds/azure/desired.js";
import { diffAzure } from "../../../lib/clouds/azure/diff.js";
import { materializeAzure } from "../../../lib/clouds/azure/materialize.js";
import { parseResourceId } from "../../../lib/clouds/azure/model.js";
import { compile } from "../../../lib/compile/compile.js";
import { parseWorkloadId } from "../../../lib/inventory/ids.js";
import type { Attachment, Policy } from "../../../lib/policy/model.js";
import { AZURE_WRITE_METHODS } from "../../../sim/clouds/azure/api.js";
import { NETWORKS, policyArb } from "../../compile/arbitraries.js";
import { AZURE_OWNERSHIP } from "../../support/seals.js";
import { estateArb, quotasArb } from "./arbitraries.js";
import {
  AZURE_VNETS,
  AzureSubscriptionsTestbed,
  OTHER_SUBSCRIPTION_VNETS,
  SEGSYNC_RESOURCE_GROUP,
  SUBSCRIPTION,
  SUBSCRIPTION_B,
  SUBSCRIPTION_C,
} from "./harness.js";

/**
 * A narrowed read plans its own subscriptions exactly as a full read does, and nothing else: for
 * every subset of an estate's subscriptions, materialize and diff over that subset's state give
 * the full run's objects, findings and operations in those subscriptions, and applying that plan
 * leaves every other subscription as it was (and its own as the full plan leaves them).
 */

const VNETS = { ...AZURE_VNETS, ...OTHER_SUBSCRIPTION_VNETS };
const SUBSCRIPTIONS = [SUBSCRIPTION, SUBSCRIPTION_B, SUBSCRIPTION_C].sort();
const vnetsOf = (subscription: string) =>
  Object.keys(VNETS).filter((id) => id.startsWith(`azure:${subscription}:`));

/** VMs per subscription, each with its NIC in a VNet of its own subscription (as ARM has it); vm-1 is in all three. */
const HOSTS = [
  ...[`${SUBSCRIPTION}:rg-app:vm-1`, `${SUBSCRIPTION}:rg-app:vm-2`, `${SUBSCRIPTION}:rg-data:vm-3`].map(
    (id) => ({ id: `azure:${id}`, networks: vnetsOf(SUBSCRIPTION) }),
  ),
  ...[`${SUBSCRIPTION_B}:rg-app:vm-1`, `${SUBSCRIPTION_B}:rg-app:vm-2`, `${SUBSCRIPTION_B}:rg-data:vm-5`].map(
    (id) => ({ id: `azure:${id}`, networks: vnetsOf(SUBSCRIPTION_B) }),
  ),
  ...[`${SUBSCRIPTION_C}:rg-app:vm-1`, `${SUBSCRIPTION_C}:rg-app:vm-6`].map((id) => ({
    id: `azure:${id}`,
    networks: vnetsOf(SUBSCRIPTION_C),
  })),
  { id: "aws:111111111111:us-east-1:i-0a00000000000001", networks: [NETWORKS[0] as string] },
  { id: "gcp:shop-prod:us-central1-a:web-1", networks: [NETWORKS[3] as string] },
];

/** Every subset, each in the items' order. */
function subsetsOf<T>(items: readonly T[]): T[][] {
  const subsets: T[][] = [[]];
  for (const item of items) for (const subset of [...subsets]) subsets.push([...subset, item]);
  return subsets;
}

function subscriptionOfFinding(finding: AzureFinding): string {
  const { subject } = finding;
  if (subject.startsWith("/")) return parseResourceId(subject)?.subscription.toLowerCase() ?? "";
  if (subject.startsWith("azure:")) {
    const id = parseWorkloadId(subject);
    return id.cloud === "azure" ? id.subscription : "";
  }
  return subject.split("/")[0] ?? "";
}

/** What a full materialize gives the subscriptions of `subset`. */
function restrict(desired: AzureDesired, subset: ReadonlySet<string>): AzureDesired {
  return {
    applicationSecurityGroups: desired.applicationSecurityGroups.filter((a) => subset.has(a.subscription)),
    networkSecurityGroups: desired.networkSecurityGroups.filter((n) => subset.has(n.subscription)),
    networkInterfaces: desired.networkInterfaces.filter((n) => subset.has(n.subscription)),
    findings: desired.findings.filter((f) => subset.has(subscriptionOfFinding(f))),
  };
}

describe("Azure: a narrowed read plans its own subscriptions as a full read does, and only those", () => {
  it("for random policies, estates over three subscriptions, earlier (narrowed) runs, quotas and attachment modes", async () => {
    const checked = {
      runs: 0,
      subsets: 0,
      plansInSeveralSubscriptions: 0,
      subsetPlansLeavingOthers: 0,
      findingsLeftOut: 0,
      deletions: 0,
      restores: 0,
      unconfigured: 0,
    };
    await fc.assert(
      fc.asyncProperty(
        fc.option(
          fc.record({
            policy: policyArb,
            scope: fc.option(fc.subarray(SUBSCRIPTIONS), { nil: undefined }),
          }),
          { nil: undefined },
        ),
        policyArb,
        estateArb(HOSTS, 5),
        quotasArb,
        fc.constantFrom<Attachment>("exclusive", "additive"),
        fc.subarray(HOSTS.map((h) => h.id)),
        fc.constantFrom(true, true, true, false),
        async (earlier, newPolicy, estate, quotas, attachment, withCustomerNsg, configureC) => {
          checked.runs++;
          const azure = estate.filter((w) => w.id.startsWith("azure:"));
          const others = estate.filter((w) => !w.id.startsWith("azure:"));
          const resourceGroups: Record<string, string> = {
            [SUBSCRIPTION]: SEGSYNC_RESOURCE_GROUP,
            [SUBSCRIPTION_B]: "rg-segsync-b",
            ...(configureC ? { [SUBSCRIPTION_C]: SEGSYNC_RESOURCE_GROUP } : {}),
          };
          const bed = new AzureSubscriptionsTestbed(
            azure,
            quotas,
            VNETS,
            resourceGroups,
            new Set(withCustomerNsg),
          );
          const { provider } = bed;
          const withAttachment = (p: Policy): Policy => ({ ...p, attachment });
          if (earlier) {
            await bed.reconcile(withAttachment(earlier.policy), others, earlier.scope?.flatMap(vnetsOf));
          }
          const policy = withAttachment(newPolicy);
          const full = await provider.discover(bed.connection(), policy.labels);
          expect(full.state.map((s) => s.subscription)).toEqual(SUBSCRIPTIONS);
          const intent = compile(policy, { workloads: [...full.workloads, ...others], networks: [] });
          const options = {
            quotas,
            attachment,
            loadBalancerProbes: policy.platform.azureLoadBalancerProbes,
            resourceGroups,
            ownership: AZURE_OWNERSHIP,
          };
          const desired = materializeAzure(intent, full.state, options);
          expect(provider.materialize(intent, full.state, policy)).toEqual(desired);
          const plan = diffAzure(desired, full.state, AZURE_OWNERSHIP);
          const afterFull = bed.copies();
          await provider.apply(plan, bed.connection(afterFull), () => {});
          if (new Set(plan.map((op) => op.subscription)).size > 1) checked.plansInSeveralSubscriptions++;
          if (!configureC) checked.unconfigured++;

          for (const subset of subsetsOf(SUBSCRIPTIONS)) {
            checked.subsets++;
            const within = new Set(subset);
            const state = full.state.filter((s) => within.has(s.subscription));

            // The narrowed connection reads exactly those subscriptions.
            const narrowed = provider.narrow(bed.connection(), [
              ...subset.flatMap(vnetsOf),
              NETWORKS[0] as string,
              NETWORKS[3] as string,
            ]);
            expect(narrowed.subscriptions).toEqual(subset);
            expect((await provider.discover(narrowed, policy.labels)).state).toEqual(state);

            const part = materializeAzure(intent, state, options);
            expect(part).toEqual(restrict(desired, within));
            const partPlan = diffAzure(part, state, AZURE_OWNERSHIP);
            const expectedPlan = plan.filter((op) => within.has(op.subscription));
            expect(partPlan).toEqual(expectedPlan);
            for (const op of partPlan) {
              expect(within.has(op.subscription)).toBe(true);
              if (op.kind === "putNetworkSecurityGroup" || op.kind === "putApplicationSecurityGroup")
                expect(op.resourceGroup).toBe(resourceGroups[op.subscription]);
              if (op.kind === "putNetworkInterface" || op.kind === "joinApplicationSecurityGroups")
                expect(parseResourceId(op.nic.id)?.subscription).toBe(op.subscription);
            }
            if (partPlan.length > 0 && partPlan.length < plan.length) checked.subsetPlansLeavingOthers++;
            if (part.findings.length < desired.findings.length) checked.findingsLeftOut++;
            checked.deletions += partPlan.filter((op) => op.kind.startsWith("delete")).length;
            checked.restores += part.networkInterfaces.filter(
              (n) => Object.keys(n.ownedApplicationSecurityGroupIds).length === 0,
            ).length;

            // Applied, the plan leaves every other subscription untouched, and its own as the full plan does.
            const sims = bed.copies();
            const before = new Map([...sims].map(([subscription, sim]) => [subscription, sim.state()]));
            await provider.apply(partPlan, bed.connection(sims), () => {});
            for (const [subscription, sim] of sims) {
              if (within.has(subscription)) {
                expect(sim.state()).toEqual(afterFull.get(subscription)?.state());
              } else {
                expect(sim.calls.filter((c) => AZURE_WRITE_METHODS.has(c.method))).toEqual([]);
                expect(sim.state()).toEqual(before.get(subscription));
              }
            }
          }
        },
      ),
      { numRuns: 500 },
    );
    expect(checked.plansInSeveralSubscriptions).toBeGreaterThan(100);
    expect(checked.subsetPlansLeavingOthers).toBeGreaterThan(300);
    expect(checked.findingsLeftOut).toBeGreaterThan(100);
    expect(checked.deletions).toBeGreaterThan(50);
    expect(checked.restores).toBeGreaterThan(50);
    expect(checked.unconfigured).toBeGreaterThan(20);
  }, 300_000);
});
