import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AwsQuotas } from "../../../lib/clouds/aws/config.js";
import { diffAws } from "../../../lib/clouds/aws/diff.js";
import { evaluateAws } from "../../../lib/clouds/aws/evaluate.js";
import { groupName, materializeAws } from "../../../lib/clouds/aws/materialize.js";
import { RULE_DESCRIPTION } from "../../../lib/clouds/aws/operations.js";
import { parseNetworkId } from "../../../lib/inventory/ids.js";
import type { Workload } from "../../../lib/inventory/model.js";
import type { Attachment } from "../../../lib/policy/model.js";
import { NETWORKS, policyArb } from "../../compile/arbitraries.js";
import { AWS_OWNERSHIP } from "../../support/seals.js";
import { intentAllows, labelTagsArb, policyAllows, probeAddresses, probes } from "../intent-probes.js";
import { AwsTestbed } from "./harness.js";

const IDS = [
  "aws:111111111111:us-east-1:i-0a00000000000001",
  "aws:111111111111:us-east-1:i-0a00000000000002",
  "aws:111111111111:us-east-1:i-0a00000000000003",
  "aws:111111111111:us-east-1:i-0a00000000000004",
  "aws:111111111111:us-east-1:i-0a00000000000005",
  "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-app:vm-1",
  "gcp:shop-prod:us-central1-a:web-1",
  "gcp:shop-prod:us-central1-a:db-1",
];
const AWS_NETWORKS: string[] = [NETWORKS[0], NETWORKS[1]];

/** Every address is unique in the estate, so that an address names one workload. */
function workloadArb(id: string, index: number): fc.Arbitrary<Workload> {
  const networks: fc.Arbitrary<string[]> = id.startsWith("aws:")
    ? fc.subarray(AWS_NETWORKS, { minLength: 1 })
    : fc.constant([id.startsWith("azure:") ? NETWORKS[2] : NETWORKS[3]]);
  return fc
    .record({
      networks,
      publicIps: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
      running: fc.constantFrom(true, true, true, true, false),
      tags: labelTagsArb,
    })
    .map(({ networks: chosen, publicIps, running, tags }) => ({
      id,
      state: running ? "running" : "stopped",
      nics: chosen.map((network, k) => ({
        network,
        privateIp: `10.${NETWORKS.indexOf(network as (typeof NETWORKS)[number])}.${index + 1}.${k + 1}`,
        ...(publicIps[k] ? { publicIp: `54.0.${index + 1}.${k + 1}` } : {}),
      })),
      tags: { ...tags, Name: `vm-${index}` },
    }));
}

const estateArb = fc
  .subarray(
    IDS.map((id, index) => ({ id, index })),
    { minLength: 1 },
  )
  .chain((picked) => fc.tuple(...picked.map(({ id, index }) => workloadArb(id, index))));

const quotasArb: fc.Arbitrary<AwsQuotas> = fc.constantFrom(
  { rulesPerSecurityGroup: 60, securityGroupsPerInterface: 5 },
  { rulesPerSecurityGroup: 8, securityGroupsPerInterface: 2 },
  { rulesPerSecurityGroup: 3, securityGroupsPerInterface: 1 },
  { rulesPerSecurityGroup: 20, securityGroupsPerInterface: 3 },
);

describe("AWS: evaluate(apply(materialize(intent))) equals the intent", () => {
  it("for random policies, estates, quotas and attachment modes", async () => {
    const checked = { destinations: 0, allowed: 0, denied: 0, unfit: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.option(policyArb, { nil: undefined }),
        policyArb,
        estateArb,
        quotasArb,
        fc.constantFrom<Attachment>("exclusive", "additive"),
        async (earlierPolicy, policy, estate, quotas, attachment) => {
          const aws = estate.filter((w) => w.id.startsWith("aws:"));
          const others = estate.filter((w) => !w.id.startsWith("aws:"));
          const bed = new AwsTestbed(aws, quotas);
          // Half the runs start from another policy's enforcement: revokes, deletes, restores, re-sharding.
          if (earlierPolicy) await bed.reconcile(earlierPolicy, others, attachment);
          const before = bed.state();
          const { intent, desired } = await bed.reconcile(policy, others, attachment);
          const after = bed.state();

          // Every owned rule and list entry carries segsync's description (moto reads prefix-list
          // references back without it, so the moto pipeline test cannot check those).
          for (const region of after) {
            for (const group of region.securityGroups.filter((g) => AWS_OWNERSHIP.ownsGroup(region, g)))
              for (const p of group.IpPermissions)
                for (const source of [
                  ...p.IpRanges,
                  ...p.Ipv6Ranges,
                  ...p.PrefixListIds,
                  ...p.UserIdGroupPairs,
                ])
                  expect(source.Description, group.GroupName).toBe(RULE_DESCRIPTION);
            for (const list of region.managedPrefixLists.filter((l) =>
              AWS_OWNERSHIP.ownsPrefixList(region, l),
            ))
              for (const entry of list.Entries)
                expect(entry.Description, list.PrefixListName).toBe(RULE_DESCRIPTION);
          }

          // A second plan over what was applied is empty.
          expect(
            diffAws(
              materializeAws(intent, after, { quotas, attachment, ownership: AWS_OWNERSHIP }),
              after,
              AWS_OWNERSHIP,
            ),
          ).toEqual([]);

          const reach = evaluateAws(after);
          const interfaces = after.flatMap((region) => region.networkInterfaces);
          const addresses = probeAddresses(estate);
          // What docs/policy.md says, read with no compiler: the intent and the cloud must both say it.
          const oracle = policyAllows(policy, estate);
          const unfit = new Set(desired.findings.filter((f) => f.code === "aws-quota").map((f) => f.subject));
          for (const destination of intent.destinations) {
            if (destination.cloud !== "aws" || destination.enforcement !== "enforced") continue;
            const network = parseNetworkId(destination.network);
            if (network.cloud !== "aws") continue;
            const members = new Set(destination.members.map((m) => m.workload.split(":").at(-1)));
            const enis = interfaces.filter(
              (eni) => eni.VpcId === network.vpcId && members.has(eni.Attachment?.InstanceId),
            );
            if (unfit.has(destination.key)) {
              checked.unfit++;
              // Not applied: every member ENI keeps the groups it had.
              const previous = before.flatMap((r) => r.networkInterfaces);
              for (const eni of enis)
                expect(eni.Groups).toEqual(
                  previous.find((p) => p.NetworkInterfaceId === eni.NetworkInterfaceId)?.Groups,
                );
              continue;
            }
            checked.destinations++;
            for (const eni of enis) {
              expect(eni.Groups.map((g) => g.GroupName)).toContain(groupName(destination.hash, 1));
              expect(eni.Groups.length).toBeLessThanOrEqual(quotas.securityGroupsPerInterface);
              for (const address of addresses) {
                for (const [protocol, port] of probes(policy)) {
                  const expected = oracle(destination, address, protocol, port);
                  expect(
                    intentAllows(intent, destination, address, protocol, port),
                    `intent: ${address} ${protocol}/${port}`,
                  ).toBe(expected);
                  const match = reach.explain(eni.NetworkInterfaceId, address, protocol, port);
                  checked[expected ? "allowed" : "denied"]++;
                  const where = `${destination.identity} ${eni.NetworkInterfaceId} ← ${address} ${protocol}/${port}`;
                  if (attachment === "exclusive") expect(match !== undefined, where).toBe(expected);
                  else if (expected) expect(match, where).toBeDefined();
                  else if (match) expect(match.groupName.startsWith("segsync-"), where).toBe(false);
                }
              }
            }
          }
        },
      ),
      { numRuns: 500 },
    );
    // The property must not hold vacuously: enough destinations, allowed and denied probes, and unfit ones.
    expect(checked.destinations).toBeGreaterThan(200);
    expect(checked.allowed).toBeGreaterThan(1000);
    expect(checked.unfit).toBeGreaterThan(10);
  }, 300_000);
});
