/**
 * Egress in the intent (v2, docs/policy.md "Deny rules and egress (v2)"): equal to a naive reading
 * of the policy probe by probe, and kept by the incremental compiler, its delta and its slices as
 * destinations are.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile, serializeIntent } from "../../lib/compile/compile.js";
import { IncrementalCompiler } from "../../lib/compile/incremental.js";
import type { EgressIntent, Intent } from "../../lib/compile/model.js";
import { peerKeysOf } from "../../lib/compile/slice.js";
import { cidrContains } from "../../lib/net/cidr.js";
import type { Policy, Rule } from "../../lib/policy/model.js";
import { servicesAdmit } from "../../lib/policy/services.js";
import { probeAddresses, probes } from "../clouds/intent-probes.js";
import { applyChanges, changeArb, changedWorkloads, egressPolicyArb, inventoryArb } from "./arbitraries.js";
import { AWS_VPC, designPolicy, egressDesignPolicy, GCP_NET, workload } from "./fixtures.js";
import { naiveEgress, type Probe } from "./oracle.js";

function opens(entry: EgressIntent, address: string, [protocol, port]: Probe): boolean {
  return entry.opens.some(
    (grant) =>
      servicesAdmit(grant.services, protocol, port) &&
      grant.target.cidrs.some((cidr) => cidrContains(cidr, address)),
  );
}

describe("egress in the intent", () => {
  it("opens, address by address and port by port, what the policy's allow and deny rules from the source say", () => {
    let entries = 0;
    fc.assert(
      fc.property(egressPolicyArb, inventoryArb, (policy, inventory) => {
        const intent = compile(policy, inventory);
        const oracle = naiveEgress(policy, inventory);
        const addresses = probeAddresses(inventory.workloads);
        entries += intent.egress?.length ?? 0;
        for (const src of inventory.workloads) {
          for (const network of new Set(src.nics.map((nic) => nic.network))) {
            const entry = intent.egress?.find(
              (e) => e.network === network && e.members.some((m) => m.workload === src.id),
            );
            for (const address of addresses)
              for (const probe of probes(policy)) {
                const expected = oracle(src, network, address, probe);
                const where = `${src.id} ${network} -> ${address} ${probe.join("/")}`;
                if (expected === undefined) expect(entry, where).toBeUndefined();
                else expect(entry !== undefined && opens(entry, address, probe), where).toBe(expected);
              }
          }
        }
      }),
      { numRuns: 300 },
    );
    expect(entries).toBeGreaterThan(0);
  });

  it("is kept by the incremental compiler: equal to a full compile after any change sequence, its delta exact", () => {
    fc.assert(
      fc.property(
        egressPolicyArb,
        inventoryArb,
        fc.array(fc.array(changeArb, { minLength: 1, maxLength: 4 }), { maxLength: 6 }),
        (policy, inventory, batches) => {
          const compiler = IncrementalCompiler.build(policy, inventory);
          let current = inventory;
          for (const batch of batches) {
            const before = compiler.snapshot();
            const delta = compiler.apply(batch);
            current = applyChanges(current, batch);
            const after = compiler.snapshot();
            expect(serializeIntent(after)).toBe(serializeIntent(compile(policy, current)));
            const text = (intent: Intent) =>
              new Map((intent.egress ?? []).map((e) => [e.key, JSON.stringify(e)]));
            const [left, right] = [text(before), text(after)];
            const upserted = [...right].filter(([key, value]) => left.get(key) !== value).map(([key]) => key);
            const removed = [...left.keys()].filter((key) => !right.has(key));
            expect(delta.egress).toEqual({ upserted: upserted.sort(), removed: removed.sort() });
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("goes into a change's slices with the destination of the same key", () => {
    fc.assert(
      fc.property(
        egressPolicyArb,
        inventoryArb,
        fc.array(changeArb, { minLength: 1, maxLength: 4 }),
        (policy, inventory, batch) => {
          const compiler = IncrementalCompiler.build(policy, inventory);
          const before = compiler.snapshot();
          const workloads = changedWorkloads(batch);
          const reports = new Map(workloads.map((id) => [id, compiler.report(id)]));
          const delta = compiler.apply(batch);
          const after = compiler.snapshot();
          const slices = compiler.changeSlices(delta, workloads, reports);
          const egressIn = (intent: Intent) =>
            (intent.egress ?? []).filter((e) => slices.scope.destinations.includes(e.key));
          expect(slices.after.egress ?? []).toEqual(egressIn(after));
          expect(slices.before.egress ?? []).toEqual(egressIn(before));
          for (const key of [...delta.egress.upserted, ...delta.egress.removed])
            expect(slices.scope.destinations).toContain(key);
          // Peer sets are unaffected by egress: the slice still holds exactly those its destinations use.
          for (const destination of slices.after.destinations)
            for (const key of peerKeysOf(destination)) expect(slices.scope.peerSets).toContain(key);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("egress findings", () => {
  const web = workload(
    "aws:111111111111:us-east-1:i-0a00000000000001",
    { network: AWS_VPC, privateIp: "10.1.0.11" },
    { app: "shop", env: "prod", role: "web" },
  );
  // Behind the GCP network's NAT, without a public IP: a NAT is outbound only.
  const api = workload(
    "gcp:shop-prod:us-central1-a:api-1",
    { network: GCP_NET, privateIp: "10.3.0.5" },
    { app: "shop", env: "prod", role: "api" },
  );

  function egressPolicy(): Policy {
    const base = designPolicy();
    const [ruleset] = base.rulesets;
    if (!ruleset) throw new Error("the design policy has a ruleset");
    const toGateway: Rule = {
      id: "shop-prod#4",
      ruleset: "shop-prod",
      action: "allow",
      index: 4,
      from: { kind: "labels", selector: { app: ["shop"], env: ["prod"], role: ["web"] }, extraScope: false },
      to: { kind: "ipList", name: "gw", cidrs: ["198.51.100.0/24"] },
      services: [{ protocol: "tcp", fromPort: 443, toPort: 443 }],
    };
    return {
      ...base,
      ipLists: { ...base.ipLists, gw: ["198.51.100.0/24"] },
      rulesets: [{ ...ruleset, egress: "enforced", rules: [...ruleset.rules, toGateway] }],
    };
  }

  it("reports a destination the source's network cannot reach, and opens nothing to it", () => {
    const intent = compile(egressPolicy(), { workloads: [web, api], networks: [] });
    const fromWeb = intent.egress?.find((e) => e.identity.includes("role=web"));
    const unreachable = intent.findings.filter((f) => f.code === "unreachable-destination");
    expect(unreachable.map((f) => f.subject)).toEqual([`${fromWeb?.key} -> ${api.id}`]);
    const toApi = fromWeb?.opens.find((g) => g.target.kind === "identity");
    expect(toApi?.target.cidrs).toEqual([]);
    // The rule to the gateway takes effect here: web's egress is enforced.
    expect(intent.findings.some((f) => f.code === "egress-rule-without-effect")).toBe(false);
    expect(fromWeb?.opens.map((g) => g.targetKey)).toContain("ipList:gw");
  });
});

describe("egress deny rules", () => {
  it("follow a denied target that moves: its new address is taken out of what the source opens", () => {
    const web = workload(
      "aws:111111111111:us-east-1:i-0a00000000000001",
      { network: AWS_VPC, privateIp: "10.1.0.11" },
      { app: "shop", env: "prod", role: "web" },
    );
    const db = workload(
      "aws:111111111111:us-east-1:i-0a00000000000004",
      { network: AWS_VPC, privateIp: "10.1.0.40" },
      { app: "shop", env: "prod", role: "db" },
    );
    const policy = egressDesignPolicy();
    // A second db stays, so the identity and every template stay: only its addresses move.
    const db2 = {
      ...db,
      id: "aws:111111111111:us-east-1:i-0a00000000000005",
      nics: [{ network: AWS_VPC, privateIp: "10.1.0.50" }],
    };
    const compiler = IncrementalCompiler.build(policy, { workloads: [web, db, db2], networks: [] });
    const moved = { ...db, nics: [{ network: AWS_VPC, privateIp: "10.1.0.41" }] };
    compiler.apply([{ kind: "upsert", workload: moved }]);
    const intent = compiler.snapshot();
    expect(serializeIntent(intent)).toBe(
      serializeIntent(compile(policy, { workloads: [web, moved, db2], networks: [] })),
    );
    const fromWebEntry = intent.egress?.find((e) => e.identity.includes("role=web"));
    const cidrs = fromWebEntry?.opens.flatMap((g) => g.target.cidrs) ?? [];
    expect(cidrs.some((cidr) => cidrContains(cidr, "10.1.0.41"))).toBe(false);
    expect(cidrs.some((cidr) => cidrContains(cidr, "10.1.0.40"))).toBe(true);
  });
});
