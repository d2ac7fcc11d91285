import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyAwsPlan } from "../../../lib/clouds/aws/apply.js";
import type { AwsQuotas } from "../../../lib/clouds/aws/config.js";
import type { AwsDesired, AwsFinding } from "../../../lib/clouds/aws/desired.js";
import { diffAws } from "../../../lib/clouds/aws/diff.js";
import { materializeAws } from "../../../lib/clouds/aws/materialize.js";
import { type AwsLocation, type AwsState, locationKey } from "../../../lib/clouds/aws/model.js";
import type { AwsOperation } from "../../../lib/clouds/aws/operations.js";
import { compile } from "../../../lib/compile/compile.js";
import { parseNetworkId, parseWorkloadId } from "../../../lib/inventory/ids.js";
import type { Workload } from "../../../lib/inventory/model.js";
import type { Attachment, Policy } from "../../../lib/policy/model.js";
import { AWS_WRITE_METHODS, SimulatedEc2 } from "../../../sim/clouds/aws/api.js";
import { policyArb } from "../../compile/arbitraries.js";
import { AWS_OWNERSHIP } from "../../support/seals.js";
import { labelTagsArb } from "../intent-probes.js";
import { AwsTestbed } from "./harness.js";

/**
 * A narrowed read plans its own locations exactly as a full read does, and nothing else: for
 * every subset of an estate's locations, materialize and diff over that subset's state give the
 * full run's objects, findings and operations in those locations, and applying that plan leaves
 * every other location as it was.
 */

const EAST_A = "aws:111111111111:us-east-1:vpc-0a1b2c3d";
const EAST_B = "aws:111111111111:us-east-1:vpc-0e0e0e0e";
const WEST = "aws:111111111111:eu-west-1:vpc-0b0b0b0b";
const OTHER = "aws:222222222222:us-east-1:vpc-0c0c0c0c";
const AZURE = "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-net:vnet-prod";
const GCP = "gcp:shop-prod:prod-net";
const NETWORKS = [EAST_A, EAST_B, WEST, OTHER, AZURE, GCP];

/** Instances per location, each with NICs in its own location's VPCs only (as EC2 has it). */
const HOSTS: readonly { id: string; networks: readonly string[] }[] = [
  { id: "aws:111111111111:us-east-1:i-0a00000000000001", networks: [EAST_A, EAST_B] },
  { id: "aws:111111111111:us-east-1:i-0a00000000000002", networks: [EAST_A, EAST_B] },
  { id: "aws:111111111111:us-east-1:i-0a00000000000003", networks: [EAST_A, EAST_B] },
  { id: "aws:111111111111:eu-west-1:i-0b00000000000001", networks: [WEST] },
  { id: "aws:111111111111:eu-west-1:i-0b00000000000002", networks: [WEST] },
  { id: "aws:222222222222:us-east-1:i-0c00000000000001", networks: [OTHER] },
  { id: "aws:222222222222:us-east-1:i-0c00000000000002", networks: [OTHER] },
  { id: "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-app:vm-1", networks: [AZURE] },
  { id: "gcp:shop-prod:us-central1-a:web-1", networks: [GCP] },
];

/** Every address is unique in the estate. */
function workloadArb(host: (typeof HOSTS)[number], index: number): fc.Arbitrary<Workload> {
  return fc
    .record({
      networks: fc.subarray([...host.networks], { minLength: 1 }),
      publicIps: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
      running: fc.constantFrom(true, true, true, true, false),
      tags: labelTagsArb,
    })
    .map(({ networks, publicIps, running, tags }) => ({
      id: host.id,
      state: running ? "running" : "stopped",
      nics: networks.map((network, k) => ({
        network,
        privateIp: `10.${NETWORKS.indexOf(network)}.${index + 1}.${k + 1}`,
        ...(publicIps[k] ? { publicIp: `54.0.${index + 1}.${k + 1}` } : {}),
      })),
      tags: { ...tags, Name: `vm-${index}` },
    }));
}

const awsLocationOfWorkload = (id: string) => id.split(":").slice(1, 3).join(":");

/** At least two AWS locations, so that there is something to narrow. */
const estateArb = fc
  .subarray(
    HOSTS.map((host, index) => ({ host, index })),
    { minLength: 2 },
  )
  .filter(
    (picked) =>
      new Set(
        picked
          .filter(({ host }) => host.id.startsWith("aws:"))
          .map(({ host }) => awsLocationOfWorkload(host.id)),
      ).size >= 2,
  )
  .chain((picked) => fc.tuple(...picked.map(({ host, index }) => workloadArb(host, index))));

/** Peering across accounts and regions (and one VPC connected to Azure), and NAT for GCP. */
const CONNECTIONS: readonly (readonly string[])[] = [
  [EAST_A, WEST],
  [EAST_B, OTHER],
  [WEST, OTHER],
  [EAST_A, AZURE],
];
const networksArb = fc.record({
  connected: fc.subarray([...CONNECTIONS]),
  nat: fc.boolean(),
});

function withNetworks(policy: Policy, networks: { connected: (readonly string[])[]; nat: boolean }): Policy {
  return {
    ...policy,
    networks: {
      connected: networks.connected,
      nat: networks.nat ? { [GCP]: ["203.0.113.10/32"] } : {},
    },
  };
}

const quotasArb: fc.Arbitrary<AwsQuotas> = fc.constantFrom(
  { rulesPerSecurityGroup: 60, securityGroupsPerInterface: 5 },
  { rulesPerSecurityGroup: 8, securityGroupsPerInterface: 2 },
  { rulesPerSecurityGroup: 3, securityGroupsPerInterface: 1 },
  { rulesPerSecurityGroup: 20, securityGroupsPerInterface: 3 },
);

/** The location a finding is about: its destination's network, its workload's, or its ENI's. */
function findingLocation(finding: AwsFinding, state: AwsState): string {
  switch (finding.code) {
    case "aws-quota":
    case "aws-additive-extra-flows":
    case "aws-additive-egress-not-enforced": {
      // `<hash>@<network>`, then `|<group id>` for additive findings.
      const at = finding.subject.slice(finding.subject.indexOf("@") + 1);
      const network = parseNetworkId(at.split("|")[0] ?? at);
      if (network.cloud !== "aws") throw new TypeError(finding.subject);
      return locationKey(network);
    }
    case "aws-interface-missing": {
      const workload = parseWorkloadId(finding.subject);
      if (workload.cloud !== "aws") throw new TypeError(finding.subject);
      return locationKey(workload);
    }
    case "aws-restore-group-missing":
    case "aws-original-group-missing": {
      const region = state.find((r) =>
        r.networkInterfaces.some((e) => e.NetworkInterfaceId === finding.subject),
      );
      if (!region) throw new TypeError(`no location holds ${finding.subject}`);
      return locationKey(region);
    }
  }
}

/** The full desired state, restricted by each object's location to `keys`. */
function restrict(desired: AwsDesired, keys: ReadonlySet<string>, state: AwsState): AwsDesired {
  const inside = (item: { location: AwsLocation }) => keys.has(locationKey(item.location));
  return {
    securityGroups: desired.securityGroups.filter(inside),
    prefixLists: desired.prefixLists.filter(inside),
    interfaces: desired.interfaces.filter(inside),
    findings: desired.findings.filter((f) => keys.has(findingLocation(f, state))),
    rulesPerSecurityGroup: desired.rulesPerSecurityGroup,
    securityGroupsPerInterface: desired.securityGroupsPerInterface,
  };
}

/** Every subset of the values, the empty one and the whole included. */
function subsets<T>(values: readonly T[]): T[][] {
  const all: T[][] = [[]];
  for (const value of values) all.push(...all.map((s) => [...s, value]));
  return all;
}

/** Simulated locations starting from `state`, independent of the testbed's. */
function simsOf(state: AwsState, quotas: AwsQuotas): Map<string, SimulatedEc2> {
  return new Map(state.map((region) => [locationKey(region), new SimulatedEc2(region, { quotas })]));
}

async function applyOn(
  sims: ReadonlyMap<string, SimulatedEc2>,
  plan: readonly AwsOperation[],
): Promise<void> {
  await applyAwsPlan(
    plan,
    (location) => {
      const sim = sims.get(locationKey(location));
      if (!sim) throw new Error(`the plan reaches ${locationKey(location)}, which the state does not hold`);
      return sim;
    },
    AWS_OWNERSHIP,
  );
}

describe("AWS: materialize and diff over some locations equal the full run restricted to them", () => {
  it("for random multi-location estates, peerings, policies, quotas and attachment modes", async () => {
    const checked = {
      runs: 0,
      subsets: 0,
      narrowedAway: 0,
      groupsAway: 0,
      prefixLists: 0,
      groupRefs: 0,
      remoteEntries: 0,
      unfit: 0,
      restores: 0,
      operationsAway: 0,
    };
    await fc.assert(
      fc.asyncProperty(
        fc.option(policyArb, { nil: undefined }),
        policyArb,
        networksArb,
        estateArb,
        quotasArb,
        fc.constantFrom<Attachment>("exclusive", "additive"),
        async (earlierRulesets, rulesets, networks, estate, quotas, attachment) => {
          const policy = withNetworks(rulesets, networks);
          const aws = estate.filter((w) => w.id.startsWith("aws:"));
          const others = estate.filter((w) => !w.id.startsWith("aws:"));
          const bed = new AwsTestbed(aws, quotas);
          // Half the runs start from another policy's enforcement: owned objects to keep, change, delete, restore.
          if (earlierRulesets)
            await bed.reconcile(withNetworks(earlierRulesets, networks), others, attachment);
          const full = bed.state();
          const intent = compile(policy, {
            workloads: [...(await bed.discover(policy)), ...others],
            networks: [],
          });
          const options = { quotas, attachment, ownership: AWS_OWNERSHIP };
          const desired = materializeAws(intent, full, options);
          const plan = diffAws(desired, full, AWS_OWNERSHIP);

          const fullSims = simsOf(full, quotas);
          await applyOn(fullSims, plan);

          checked.runs++;
          checked.prefixLists += desired.prefixLists.length;
          checked.groupRefs += desired.securityGroups
            .flatMap((g) => g.rules)
            .filter((r) => r.source.kind === "group").length;
          checked.unfit += desired.findings.filter((f) => f.code === "aws-quota").length;
          checked.restores += desired.interfaces.filter((i) => i.ownedGroups.length === 0).length;

          // Where each address of the estate lives, to see narrowed plans admit sources they did not read.
          const locationOfAddress = new Map<string, string>(
            estate.flatMap((w) =>
              w.nics.flatMap((nic) =>
                [nic.privateIp, nic.publicIp].flatMap((a) =>
                  a ? [[`${a}/32`, awsLocationOfWorkload(w.id)] as const] : [],
                ),
              ),
            ),
          );
          const allKeys = full.map(locationKey);
          expect(allKeys.length).toBeGreaterThanOrEqual(2);
          for (const subset of subsets(allKeys)) {
            const keys = new Set(subset);
            const state = full.filter((region) => keys.has(locationKey(region)));
            const narrowed = materializeAws(intent, state, options);
            const expected = restrict(desired, keys, full);
            expect(narrowed, subset.join(" ")).toEqual(expected);

            const narrowedPlan = diffAws(narrowed, state, AWS_OWNERSHIP);
            expect(narrowedPlan, subset.join(" ")).toEqual(
              plan.filter((op) => keys.has(locationKey(op.location))),
            );

            // Applying the narrowed plan: its locations end as the full plan leaves them, the others untouched.
            const sims = simsOf(full, quotas);
            await applyOn(sims, narrowedPlan);
            for (const [key, sim] of sims) {
              if (keys.has(key)) {
                expect(sim.state(), key).toEqual(fullSims.get(key)?.state());
              } else {
                expect(
                  sim.calls.filter((c) => AWS_WRITE_METHODS.has(c.method)),
                  key,
                ).toEqual([]);
                expect(sim.state(), key).toEqual(full.find((r) => locationKey(r) === key));
              }
            }

            checked.subsets++;
            // Sources in locations this run did not read, admitted by prefix list or CIDR.
            const admitted = [
              ...narrowed.prefixLists.flatMap((l) => l.entries),
              ...narrowed.securityGroups.flatMap((g) =>
                g.rules.flatMap((r) => (r.source.kind === "cidr" ? [r.source.cidr] : [])),
              ),
            ];
            if (
              admitted.some((cidr) => {
                const at = locationOfAddress.get(cidr);
                return at !== undefined && !keys.has(at);
              })
            )
              checked.remoteEntries++;
            if (
              desired.securityGroups.length +
                desired.prefixLists.length +
                desired.interfaces.length +
                desired.findings.length >
              expected.securityGroups.length +
                expected.prefixLists.length +
                expected.interfaces.length +
                expected.findings.length
            )
              checked.narrowedAway++;
            if (desired.securityGroups.length > expected.securityGroups.length) checked.groupsAway++;
            if (plan.length > narrowedPlan.length) checked.operationsAway++;
          }
        },
      ),
      { numRuns: 500 },
    );
    // Not vacuous: the narrowed runs leave out objects and operations, and the estates have
    // prefix lists (peered or public sources), group references, unfit destinations and restores.
    expect(checked.groupsAway).toBeGreaterThan(200);
    expect(checked.operationsAway).toBeGreaterThan(200);
    expect(checked.prefixLists).toBeGreaterThan(50);
    expect(checked.groupRefs).toBeGreaterThan(50);
    expect(checked.remoteEntries).toBeGreaterThan(50);
    expect(checked.unfit).toBeGreaterThan(10);
    expect(checked.restores).toBeGreaterThan(10);
  }, 300_000);
});
