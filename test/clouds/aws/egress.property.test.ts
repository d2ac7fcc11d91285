/**
 * Enforced egress on AWS (v2, docs/clouds.md "AWS egress and deny rules"): after apply, every
 * probe in both directions equals the policy oracle (test/compile/oracle.ts): the destination's
 * ingress (`explain`) and the source's egress (`explainEgress`), under tight quotas; a second plan
 * is empty; AWS's own service addresses stay reachable.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AwsQuotas } from "../../../lib/clouds/aws/config.js";
import { diffAws } from "../../../lib/clouds/aws/diff.js";
import { AWS_PLATFORM_ADDRESSES, evaluateAws } from "../../../lib/clouds/aws/evaluate.js";
import { materializeAws } from "../../../lib/clouds/aws/materialize.js";
import type { AwsState } from "../../../lib/clouds/aws/model.js";
import type { Intent } from "../../../lib/compile/model.js";
import type { Workload } from "../../../lib/inventory/model.js";
import type { Attachment, Policy } from "../../../lib/policy/model.js";
import { egressPolicyArb, NETWORKS, policyArb } from "../../compile/arbitraries.js";
import { naiveEgress, naiveIngress } from "../../compile/oracle.js";
import { AWS_OWNERSHIP } from "../../support/seals.js";
import { labelTagsArb, probeAddresses, probes } from "../intent-probes.js";
import { AwsTestbed } from "./harness.js";

const IDS = [
  "aws:111111111111:us-east-1:i-0a00000000000001",
  "aws:111111111111:us-east-1:i-0a00000000000002",
  "aws:111111111111:us-east-1:i-0a00000000000003",
  "aws:111111111111:us-east-1:i-0a00000000000004",
  "aws:111111111111:us-east-1:i-0a00000000000005",
  "gcp:shop-prod:us-central1-a:web-1",
];
const AWS_NETWORKS: string[] = [NETWORKS[0], NETWORKS[1]];

/** Every address is unique in the estate, so that an address names one workload. */
function workloadArb(id: string, index: number): fc.Arbitrary<Workload> {
  const networks: fc.Arbitrary<string[]> = id.startsWith("aws:")
    ? fc.subarray(AWS_NETWORKS, { minLength: 1 })
    : fc.constant([NETWORKS[3]]);
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

interface Checked {
  egress: number;
  egressAllowed: number;
  egressDenied: number;
  open: number;
  ingress: number;
}

/** The workloads whose enforcement was not applied (a destination that does not fit, additive egress). */
function skipped(intent: Intent, findings: readonly { code: string; subject: string }[]): Set<string> {
  const keys = new Set(
    findings
      .filter((f) => f.code === "aws-quota" || f.code === "aws-additive-egress-not-enforced")
      .map((f) => f.subject),
  );
  return new Set(
    intent.destinations.filter((d) => keys.has(d.key)).flatMap((d) => d.members.map((m) => m.workload)),
  );
}

/** Each running AWS workload's ENIs, by its network. */
function interfacesOf(state: AwsState, workload: Workload, network: string): string[] {
  const instanceId = workload.id.split(":").at(-1);
  const vpcId = network.split(":").at(-1);
  return state
    .flatMap((r) => r.networkInterfaces)
    .filter((eni) => eni.Attachment?.InstanceId === instanceId && eni.VpcId === vpcId)
    .map((eni) => eni.NetworkInterfaceId);
}

/** Both directions of every running AWS workload against the oracle, probe by probe. */
function checkBothDirections(
  policy: Policy,
  estate: readonly Workload[],
  after: AwsState,
  skip: ReadonlySet<string>,
  enforced: ReadonlySet<string>,
  checked: Checked,
  /** Additive attachment keeps customer groups, which may allow more: every allowed flow passes, no more is asked. */
  exact: boolean,
): void {
  const inventory = { workloads: [...estate], networks: [] };
  const egressOracle = naiveEgress(policy, inventory);
  const ingressOracle = naiveIngress(policy, inventory);
  const reach = evaluateAws(after);
  const addresses = probeAddresses(estate);
  for (const workload of estate) {
    if (!workload.id.startsWith("aws:") || workload.state !== "running" || skip.has(workload.id)) continue;
    for (const network of new Set(workload.nics.map((nic) => nic.network))) {
      for (const eni of interfacesOf(after, workload, network)) {
        for (const address of addresses) {
          for (const [protocol, port] of probes(policy)) {
            const where = `${workload.id} ${eni} ${protocol}/${port}`;
            const sends = egressOracle(workload, network, address, [protocol, port]);
            const sent = reach.explainEgress(eni, address, protocol, port) !== undefined;
            if (!exact) {
              if (sends !== false) expect(sent, `${where} → ${address} (additive)`).toBe(true);
              continue;
            }
            if (sends === undefined) {
              // Open egress: an owned group keeps (or gets back) EC2's allow-all, a customer group keeps its own.
              checked.open++;
              expect(sent, `${where} → ${address} (egress open)`).toBe(true);
            } else {
              checked.egress++;
              checked[sends ? "egressAllowed" : "egressDenied"]++;
              expect(sent, `${where} → ${address}`).toBe(sends);
            }
            // Ingress is enforced in enforced scopes only (a visibility scope is never written).
            const accepts = ingressOracle(workload, network, address, [protocol, port]);
            if (accepts === undefined || !enforced.has(workload.id)) continue;
            checked.ingress++;
            expect(reach.explain(eni, address, protocol, port) !== undefined, `${where} ← ${address}`).toBe(
              accepts,
            );
          }
        }
        for (const platform of Object.keys(AWS_PLATFORM_ADDRESSES))
          expect(reach.explainEgress(eni, platform, "udp", 53), `${eni} → ${platform}`).toBeDefined();
      }
    }
  }
}

describe("AWS enforced egress: evaluate(apply(materialize(intent))) equals the policy both ways", () => {
  it("for random v2 policies (denies, egress enforced on some rulesets), estates and tight quotas", async () => {
    const checked: Checked = { egress: 0, egressAllowed: 0, egressDenied: 0, open: 0, ingress: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.oneof(policyArb, egressPolicyArb), { nil: undefined }),
        egressPolicyArb,
        estateArb,
        quotasArb,
        fc.constantFrom<Attachment>("exclusive", "exclusive", "additive"),
        async (earlierPolicy, policy, estate, quotas, attachment) => {
          const aws = estate.filter((w) => w.id.startsWith("aws:"));
          const others = estate.filter((w) => !w.id.startsWith("aws:"));
          const bed = new AwsTestbed(aws, quotas);
          // Some runs start from another policy's enforcement: egress revoked, restored, re-sharded.
          if (earlierPolicy) await bed.reconcile(earlierPolicy, others, attachment);
          const { intent, desired } = await bed.reconcile(policy, others, attachment);
          const after = bed.state();
          const again = materializeAws(intent, after, { quotas, attachment, ownership: AWS_OWNERSHIP });
          expect(diffAws(again, after, AWS_OWNERSHIP)).toEqual([]);
          const skip = skipped(intent, desired.findings);
          // An earlier enforcement left on an unfit destination's ENIs is not this policy's.
          if (earlierPolicy && skip.size > 0) return;
          const enforced = new Set(
            intent.workloads.filter((w) => w.treatment === "enforced").map((w) => w.workload),
          );
          checkBothDirections(policy, estate, after, skip, enforced, checked, attachment === "exclusive");
        },
      ),
      { numRuns: 500 },
    );
    // Not vacuous: enforced egress both allowed and denied, open egress, and ingress.
    expect(checked.egressAllowed).toBeGreaterThan(200);
    expect(checked.egressDenied).toBeGreaterThan(10_000);
    expect(checked.open).toBeGreaterThan(10_000);
    expect(checked.ingress).toBeGreaterThan(10_000);
  }, 600_000);
});
