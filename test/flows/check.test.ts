import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FlowCheck, serviceText } from "../../lib/flows/check.js";
import { policyServicePorts } from "../../lib/flows/read-logs.js";
import { inventoryResolver, resolveConnection } from "../../lib/flows/resolve.js";
import { FlowVerdicts } from "../../lib/flows/verdict.js";
import { loadPolicyText } from "../../lib/policy/load.js";
import { REPO_ROOT } from "../policy/fixtures.js";
import { ADDRESS, API, DB, type Examples, examplesFor, WEB } from "./check-support.js";
import { connection } from "./resolve-support.js";

describe("the policy's verdict on an observed connection (FlowVerdicts)", () => {
  let ex: Examples;
  let verdicts: FlowVerdicts;
  beforeAll(async () => {
    ex = await examplesFor();
    verdicts = new FlowVerdicts(ex.intent);
  });
  const verdict = (fields: Parameters<Examples["resolved"]>[0]) => verdicts.verdictOf(ex.resolved(fields));

  it("allowed by the rule whose grant admits the source workload and the service", () => {
    expect(verdict({ initiatorAddress: ADDRESS.api, responderAddress: ADDRESS.db })).toEqual({
      kind: "allowed",
      rule: "shop-prod#1",
      onceEnforced: false,
    });
  });

  it("denied by default when no rule admits the source, or not on this port", () => {
    const denied = { kind: "denied", rule: null, onceEnforced: false };
    expect(verdict({ initiatorAddress: ADDRESS.web, responderAddress: ADDRESS.db })).toEqual(denied);
    expect(
      verdict({ initiatorAddress: ADDRESS.api, responderAddress: ADDRESS.db, responderPort: 5433 }),
    ).toEqual(denied);
    expect(
      verdict({
        initiatorAddress: ADDRESS.api,
        responderAddress: ADDRESS.db,
        protocol: 17,
        responderPort: 5432,
      }),
    ).toEqual(denied);
  });

  it("an ipList source is admitted by the address, whatever the address resolved to", () => {
    expect(
      verdict({ initiatorAddress: "10.8.0.5", responderAddress: ADDRESS.web, responderPort: 443 }),
    ).toEqual({
      kind: "allowed",
      rule: "shop-prod#2",
      onceEnforced: false,
    });
    expect(
      verdict({ initiatorAddress: "198.51.100.7", responderAddress: ADDRESS.web, responderPort: 443 }),
    ).toEqual({
      kind: "denied",
      rule: null,
      onceEnforced: false,
    });
  });

  it("names the deny rule that denies a connection, and admits the part of a source that deny rules split", async () => {
    // examples/policy.yaml with two deny rules: part of corp-vpn to web, and api to db.
    const text = (await readFile(join(REPO_ROOT, "examples", "policy.yaml"), "utf8"))
      .replace("ipLists:\n", "ipLists:\n  vpn-part: [10.8.0.0/24]\n")
      .replace(
        "        services: [tcp/9100]\n",
        "        services: [tcp/9100]\n    deny:\n      - from: { ipList: vpn-part }\n        to: { role: web }\n        services: [web]\n      - from: { role: api }\n        to: { role: db }\n        services: [postgres]\n",
      );
    const loaded = loadPolicyText(text, "policy.yaml");
    if (!loaded.ok) throw new Error("the policy with deny rules must load");
    const denied = await examplesFor(() => loaded.policy);
    const check = new FlowVerdicts(denied.intent, denied.policy);
    const of = (fields: Parameters<Examples["resolved"]>[0]) => check.verdictOf(denied.resolved(fields));
    // corp-vpn is 10.8.0.0/16: the deny takes its first /24, the rest is granted by address.
    expect(of({ initiatorAddress: "10.8.0.5", responderAddress: ADDRESS.web, responderPort: 443 })).toEqual({
      kind: "denied",
      rule: "shop-prod#deny-0",
      onceEnforced: false,
    });
    expect(of({ initiatorAddress: "10.8.1.5", responderAddress: ADDRESS.web, responderPort: 443 })).toEqual({
      kind: "allowed",
      rule: "shop-prod#2",
      onceEnforced: false,
    });
    expect(of({ initiatorAddress: ADDRESS.api, responderAddress: ADDRESS.db })).toEqual({
      kind: "denied",
      rule: "shop-prod#deny-1",
      onceEnforced: false,
    });
    // Without the policy, the same denial is by default.
    expect(
      new FlowVerdicts(denied.intent).verdictOf(
        denied.resolved({ initiatorAddress: ADDRESS.api, responderAddress: ADDRESS.db }),
      ),
    ).toEqual({
      kind: "denied",
      rule: null,
      onceEnforced: false,
    });
  });

  it("a NAT address is denied when the policy admits none of the workloads behind it", () => {
    expect(verdict({ initiatorAddress: ADDRESS.gcpNat, responderAddress: ADDRESS.db })).toEqual({
      kind: "denied",
      rule: null,
      onceEnforced: false,
    });
  });

  it("a visibility destination is checked as if enforced, the verdict marked once enforced", async () => {
    const visible = await examplesFor((policy) => ({
      ...policy,
      rulesets: policy.rulesets.map((ruleset) => ({ ...ruleset, enforcement: "visibility" as const })),
    }));
    const check = new FlowVerdicts(visible.intent);
    expect(
      check.verdictOf(visible.resolved({ initiatorAddress: ADDRESS.api, responderAddress: ADDRESS.db })),
    ).toEqual({
      kind: "allowed",
      rule: "shop-prod#1",
      onceEnforced: true,
    });
    expect(
      check.verdictOf(visible.resolved({ initiatorAddress: ADDRESS.web, responderAddress: ADDRESS.db })),
    ).toEqual({
      kind: "denied",
      rule: null,
      onceEnforced: true,
    });
  });

  it("unknown when a rule names the source but the destination's network cannot see it at any address", async () => {
    const unseen = await examplesFor((policy) => {
      const [shop] = policy.rulesets;
      if (shop === undefined) throw new Error("no ruleset");
      const rule = {
        id: "shop-prod#4",
        ruleset: "shop-prod",
        action: "allow" as const,
        index: 4,
        from: {
          kind: "labels" as const,
          selector: { app: ["shop"], env: ["prod"], role: ["db"] },
          extraScope: false,
        },
        to: { kind: "labels" as const, selector: { app: ["shop"], env: ["prod"], role: ["api"] } },
        services: [{ protocol: "tcp" as const, fromPort: 7000, toPort: 7000 }],
      };
      // Without its NAT addresses, the GCP network's workloads without a public address are seen from nowhere else.
      return {
        ...policy,
        networks: { ...policy.networks, nat: {} },
        rulesets: [{ ...shop, rules: [...shop.rules, rule] }],
      };
    });
    const result = new FlowVerdicts(unseen.intent).verdictOf(
      unseen.resolved({ initiatorAddress: "10.3.0.11", responderAddress: ADDRESS.api, responderPort: 7000 }),
    );
    expect(result).toEqual({
      kind: "unknown",
      reason:
        "rule shop-prod#4 admits the source, but aws:111111111111:us-east-1:vpc-0a1b2c3d cannot see gcp:shop-prod:us-central1-a:shop-db-2 at any address (unreachable-source): its networks are not connected in the policy",
    });
  });

  it("not enforced when the destination is in no scope, or an ipList (egress is open)", () => {
    expect(verdict({ initiatorAddress: ADDRESS.web, responderAddress: ADDRESS.blogWeb })).toEqual({
      kind: "not-enforced",
    });
    expect(verdict({ initiatorAddress: ADDRESS.web, responderAddress: "10.8.0.5" })).toEqual({
      kind: "not-enforced",
    });
  });

  it("unknown: direction unknown, a destination outside, a NAT destination", () => {
    const unknown = (fields: Parameters<Examples["resolved"]>[0]) => {
      const result = verdict(fields);
      return result.kind === "unknown" ? result.reason : result.kind;
    };
    expect(
      unknown({ initiatorAddress: ADDRESS.web, responderAddress: ADDRESS.db, directionKnown: false }),
    ).toMatch(/direction unknown/);
    expect(unknown({ initiatorAddress: ADDRESS.web, responderAddress: "198.51.100.7" })).toMatch(
      /198\.51\.100\.7 is no workload of the inventory and in no ipList/,
    );
    expect(unknown({ initiatorAddress: ADDRESS.web, responderAddress: ADDRESS.gcpNat })).toMatch(
      /NAT address/,
    );
  });
});

describe("flows grouped (FlowCheck)", () => {
  let ex: Examples;
  beforeAll(async () => {
    ex = await examplesFor();
  });

  it("groups by source, destination, service and what was observed, with counts and first/last seen; would-block first", () => {
    const check = new FlowCheck(ex.intent);
    check.add(
      ex.resolved({ initiatorAddress: ADDRESS.api, responderAddress: ADDRESS.db, first: 5_000, last: 6_000 }),
    );
    check.add(
      ex.resolved({ initiatorAddress: ADDRESS.web, responderAddress: ADDRESS.db, first: 3_000, last: 4_000 }),
    );
    check.add(
      ex.resolved({ initiatorAddress: ADDRESS.web, responderAddress: ADDRESS.db, first: 1_000, last: 2_000 }),
    );
    check.add(ex.resolved({ initiatorAddress: ADDRESS.web, responderAddress: ADDRESS.db, action: "reject" }));
    const report = check.report();
    expect(
      report.groups.map((group) => [group.source, group.observed, group.connections, group.wouldBlock]),
    ).toEqual([
      [
        { kind: "workload", workload: WEB, identity: "app=shop,env=prod,loc=us,role=web" },
        "accepted",
        2,
        true,
      ],
      [
        { kind: "workload", workload: WEB, identity: "app=shop,env=prod,loc=us,role=web" },
        "rejected",
        1,
        false,
      ],
      [
        { kind: "workload", workload: API, identity: "app=shop,env=prod,loc=us,role=api" },
        "accepted",
        1,
        false,
      ],
    ]);
    expect(report.groups[0]).toMatchObject({
      destination: { kind: "workload", workload: DB },
      service: "tcp/5432",
      firstSeen: "1970-01-01T00:00:01.000Z",
      lastSeen: "1970-01-01T00:00:04.000Z",
      verdict: { kind: "denied", rule: null },
    });
    expect(report.summary).toEqual({
      connections: 4,
      groups: 3,
      wouldBlock: 1,
      allowed: 1,
      denied: 2,
      notEnforced: 0,
      unknown: 0,
      directionUnknown: 0,
      malformed: 0,
    });
  });

  it("a connection of unknown direction is never a would-block, and is a finding", () => {
    const check = new FlowCheck(ex.intent);
    check.add(
      ex.resolved({ initiatorAddress: ADDRESS.web, responderAddress: ADDRESS.db, directionKnown: false }),
    );
    const report = check.report();
    expect(report.summary).toMatchObject({ wouldBlock: 0, unknown: 1, directionUnknown: 1 });
    expect(report.findings).toEqual([
      expect.objectContaining({ code: "direction-unknown", subject: `${WEB} - ${DB} tcp/5432` }),
    ]);
  });

  it("an ambiguous address is an outside endpoint seen as ambiguous, and one finding naming its holders", async () => {
    const shared = await examplesFor();
    const { inventory } = shared;
    const twin = {
      id: "aws:222222222222:us-west-2:i-0b00000000000009",
      state: "running" as const,
      tags: {},
      nics: [{ network: "aws:222222222222:us-west-2:vpc-0f9e8d7c", privateIp: ADDRESS.web }],
    };
    const resolver = inventoryResolver(
      { ...inventory, workloads: [...inventory.workloads, twin] },
      shared.policy,
    );
    const check = new FlowCheck(shared.intent);
    const resolved = resolveConnection(
      connection({ initiatorAddress: ADDRESS.web, responderAddress: ADDRESS.db }),
      resolver,
    );
    check.add(resolved);
    check.add(resolved);
    const report = check.report();
    expect(report.groups[0]?.source).toEqual({ kind: "outside", address: ADDRESS.web, seenAs: "ambiguous" });
    expect(report.groups[0]?.verdict).toMatchObject({
      kind: "unknown",
      reason: expect.stringMatching(/ambiguous source/),
    });
    expect(report.findings).toEqual([
      {
        code: "ambiguous-address",
        subject: ADDRESS.web,
        message: `held by ${WEB} (aws:111111111111:us-east-1:vpc-0a1b2c3d), ${twin.id} (aws:222222222222:us-west-2:vpc-0f9e8d7c), and nothing in the log tells which`,
      },
    ]);
  });

  it("malformed records are findings with their object and line, those not kept counted", () => {
    const check = new FlowCheck(ex.intent);
    check.addReading({
      malformed: 3,
      malformedExamples: [{ origin: { object: "logs/a.log", line: 7 }, reason: "srcport: not a port" }],
    });
    const report = check.report();
    expect(report.summary.malformed).toBe(3);
    expect(report.findings).toEqual([
      { code: "malformed-record", subject: "logs/a.log:7", message: "srcport: not a port" },
      { code: "malformed-record", subject: "more", message: "2 more malformed records, not listed" },
    ]);
  });

  it("names services as the policy does", () => {
    expect(serviceText({ protocol: 6, port: 443 })).toBe("tcp/443");
    expect(serviceText({ protocol: 17, port: 53 })).toBe("udp/53");
    expect(serviceText({ protocol: 1 })).toBe("icmp");
    expect(serviceText({ protocol: 58 })).toBe("icmp");
    expect(serviceText({ protocol: 132, port: 9000 })).toBe("sctp/9000");
    expect(serviceText({ protocol: 47 })).toBe("ip/47");
  });
});

describe("the ports the policy names (policyServicePorts)", () => {
  it("answers for the ports of its services and its rules' inline services, per protocol", async () => {
    const { policy } = await examplesFor();
    const named = policyServicePorts(policy);
    expect(named(6, 5432)).toBe(true); // postgres
    expect(named(17, 53)).toBe(true); // dns, named but used by no rule
    expect(named(6, 9100)).toBe(true); // inline in a rule
    expect(named(17, 5432)).toBe(false);
    expect(named(6, 5433)).toBe(false);
    expect(named(1, 0)).toBe(false);
  });
});
