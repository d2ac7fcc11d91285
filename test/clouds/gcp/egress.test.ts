/**
 * Enforced egress in GCP (docs/clouds.md, "GCP egress and platform addresses"): the rules
 * materialize writes, how diff and summaries treat them, the findings about customer egress rules,
 * the quota they count in, and the evaluator's egress semantics on native rules.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_GCP_PRIORITIES, DEFAULT_GCP_QUOTAS } from "../../../lib/clouds/gcp/config.js";
import { diffGcp } from "../../../lib/clouds/gcp/diff.js";
import { evaluateGcp } from "../../../lib/clouds/gcp/evaluate.js";
import type { GcpFirewall, GcpState } from "../../../lib/clouds/gcp/model.js";
import { createGcpProvider } from "../../../lib/clouds/gcp/provider.js";
import { summarizeGcpOperation } from "../../../lib/clouds/gcp/summarize.js";
import type { Workload } from "../../../lib/inventory/model.js";
import { resolvePolicyDocument } from "../../../lib/policy/load.js";
import type { Policy } from "../../../lib/policy/model.js";
import { GCP_OWNERSHIP, SEALER } from "../../support/seals.js";
import { GcpTestbed, PROJECT } from "./harness.js";

const NET = `gcp:${PROJECT}:prod-net`;
const NET_URL = `https://www.googleapis.com/compute/v1/projects/${PROJECT}/global/networks/prod-net`;

function policyWith(egress: "open" | "enforced", attachment: "exclusive" | "additive" = "exclusive"): Policy {
  const resolved = resolvePolicyDocument({
    apiVersion: "segsync/v1",
    kind: "Policy",
    labels: { tagPrefix: "seg-", dimensions: ["app", "role"] },
    ipLists: { "payments-gateway": ["198.51.100.0/24"] },
    attachment,
    rulesets: [
      {
        name: "shop",
        scope: { app: "shop" },
        egress,
        rules: [
          { from: { role: "web" }, to: { role: "api" }, services: ["tcp/8080"] },
          { from: { role: "api" }, to: { ipList: "payments-gateway" }, services: ["tcp/443"] },
        ],
      },
    ],
  });
  if (!resolved.ok) throw new Error(JSON.stringify(resolved.issues));
  return resolved.policy;
}

const workload = (name: string, role: string, host: number): Workload => ({
  id: `gcp:${PROJECT}:us-central1-a:${name}`,
  state: "running",
  nics: [{ network: NET, privateIp: `10.20.0.${host}` }],
  tags: { "seg-app": "shop", "seg-role": role },
});
const ESTATE = [workload("web-1", "web", 11), workload("api-1", "api", 21)];

async function planned(policy: Policy, quotas = DEFAULT_GCP_QUOTAS) {
  const bed = new GcpTestbed(ESTATE, quotas);
  const { desired, plan } = await bed.reconcile(policy, [], policy.attachment);
  return { bed, desired, plan };
}

const egressOf = (firewalls: readonly GcpFirewall[]) =>
  firewalls
    .filter((f) => f.direction === "EGRESS")
    .map((f) => ({
      name: f.name.replace(/^segsync-[a-z0-9]+-[a-z0-9]+-/, ""),
      priority: f.priority,
      to: f.destinationRanges,
      allowed: f.allowed,
      denied: f.denied,
    }));

describe("GCP enforced egress: materialize", () => {
  it("writes EGRESS rules for the tag: exact destination ranges, the API VIPs, then a deny-all per family", async () => {
    const { bed, desired } = await planned(policyWith("enforced"));
    const tagOf = (name: string) =>
      bed
        .state()[0]
        ?.instances.find((i) => i.name === name)
        ?.tags.items?.find((t) => t.startsWith("segsync-") && !t.startsWith("segsync-seal-"));
    const ofTag = (tag: string | undefined) =>
      desired.firewalls.filter((f) => f.direction === "EGRESS" && f.targetTags?.[0] === tag);
    const api = ofTag(tagOf("api-1"));
    expect(
      egressOf(api).map(({ name, ...rest }) => ({
        name: name.replace(/^e[a-z0-9]{6}-r/, "e<set>-r"),
        ...rest,
      })),
    ).toEqual([
      {
        name: "e<set>-r4-0",
        priority: 900,
        to: ["198.51.100.0/24"],
        allowed: [{ IPProtocol: "tcp", ports: ["443"] }],
        denied: undefined,
      },
      {
        name: "edeny",
        priority: 910,
        to: ["0.0.0.0/0"],
        allowed: undefined,
        denied: [{ IPProtocol: "all" }],
      },
      { name: "edeny6", priority: 910, to: ["::/0"], allowed: undefined, denied: [{ IPProtocol: "all" }] },
      {
        name: "eplatform-0",
        priority: 900,
        to: ["199.36.153.4/30", "199.36.153.8/30"],
        allowed: [{ IPProtocol: "tcp", ports: ["80", "443"] }],
        denied: undefined,
      },
    ]);
    for (const rule of api) expect(rule.targetTags).toHaveLength(1);
    // web may open api's private address only (egress rules take no destination tags).
    const web = desired.firewalls.filter(
      (f) => f.direction === "EGRESS" && f.description?.includes("role=web"),
    );
    expect(web.find((f) => f.allowed?.[0]?.ports?.[0] === "8080")?.destinationRanges).toEqual([
      "10.20.0.21/32",
    ]);
  });

  it("writes no egress rule where egress is open: the same rules as without computing egress", async () => {
    const open = await planned(policyWith("open"));
    expect(open.desired.firewalls.filter((f) => f.direction === "EGRESS")).toEqual([]);
    const bed = new GcpTestbed(ESTATE, DEFAULT_GCP_QUOTAS);
    const v1 = await bed.reconcile(policyWith("open"), [], "exclusive");
    expect(open.desired).toEqual(v1.desired);
  });

  it("counts egress rules in the project's firewall quota", async () => {
    // Ingress alone: web 2 (deny-alls) + api 3; with egress each identity adds 4 (one allow, the VIPs, two deny-alls).
    const fitsIngressOnly = { ...DEFAULT_GCP_QUOTAS, firewallRulesPerProject: 9 };
    expect((await planned(policyWith("open"), fitsIngressOnly)).desired.findings).toEqual([]);
    const { desired } = await planned(policyWith("enforced"), fitsIngressOnly);
    expect(desired.findings.map((f) => f.code)).toContain("gcp-quota");
  });

  it("is applied in full, and a second plan is empty", async () => {
    const { bed } = await planned(policyWith("enforced"));
    const again = await bed.reconcile(policyWith("enforced"), [], "exclusive");
    expect(again.plan).toEqual([]);
    expect(bed.state()[0]?.firewalls.filter((f) => f.direction === "EGRESS")).toHaveLength(8);
  });
});

describe("GCP enforced egress: diff and summaries", () => {
  it("patches an egress rule whose destination ranges changed", async () => {
    const { bed, desired } = await planned(policyWith("enforced"));
    const state: GcpState = bed.state();
    const target = desired.firewalls.find((f) => f.destinationRanges?.[0] === "198.51.100.0/24");
    if (!target) throw new Error("no egress rule to the payments gateway");
    const moved = {
      ...desired,
      firewalls: desired.firewalls.map((f) =>
        f === target ? { ...f, destinationRanges: ["198.51.101.0/24"] } : f,
      ),
    };
    const plan = diffGcp(moved, state, GCP_OWNERSHIP);
    expect(plan.map((op) => op.kind)).toEqual(["patchFirewall"]);
    const summary = summarizeGcpOperation(plan[0] as (typeof plan)[number], state);
    expect(summary.changes?.map((line) => line.replace(/segsync-[a-z0-9]+/, "segsync-<api>"))).toEqual([
      "- 900 egress allow tcp/443 from tags segsync-<api> to ranges 198.51.100.0/24",
      "+ 900 egress allow tcp/443 from tags segsync-<api> to ranges 198.51.101.0/24",
    ]);
  });

  it("summarizes the deny-all egress as a narrowing", async () => {
    const { plan, bed } = await planned(policyWith("enforced"));
    const deny = plan.find((op) => op.kind === "insertFirewall" && op.firewall.name.endsWith("-edeny"));
    if (!deny) throw new Error("no deny-all egress inserted");
    const summary = summarizeGcpOperation(deny, bed.state());
    expect(summary.narrows).toBe(true);
    expect(summary.changes?.[0]).toMatch(
      /^\+ 910 egress deny all from tags segsync-[a-z0-9]+ to ranges 0\.0\.0\.0\/0$/,
    );
  });
});

describe("GCP enforced egress: customer egress rules", () => {
  it("reports a customer egress allow before segsync's deny-all, additively, and does not override it", async () => {
    const bed = new GcpTestbed(ESTATE, DEFAULT_GCP_QUOTAS);
    bed.sim.createFirewall({
      name: "allow-all-out",
      network: "prod-net",
      direction: "EGRESS",
      priority: 1000,
      destinationRanges: ["0.0.0.0/0"],
      allowed: [{ IPProtocol: "all" }],
    });
    const { desired } = await bed.reconcile(policyWith("enforced", "additive"), [], "additive");
    const extra = desired.findings.filter((f) => f.code === "gcp-additive-extra-flows");
    expect(extra.map((f) => f.message.replace(/ in gcp:.*?: /, ": ")).sort()).toEqual([
      "app=shop,role=api: egress firewall rule allow-all-out (priority 1000) stays before segsync's deny-all egress (attachment: additive) and lets it send all traffic to 0.0.0.0/0, beyond what the policy allows; reported, not overridden",
      "app=shop,role=web: egress firewall rule allow-all-out (priority 1000) stays before segsync's deny-all egress (attachment: additive) and lets it send all traffic to 0.0.0.0/0, beyond what the policy allows; reported, not overridden",
    ]);
    expect(bed.state()[0]?.firewalls.find((f) => f.name === "allow-all-out")).toBeDefined();
    // Without enforced egress the same rule is no finding.
    const open = await new GcpTestbed(ESTATE, DEFAULT_GCP_QUOTAS).reconcile(
      policyWith("open", "additive"),
      [],
      "additive",
    );
    expect(open.desired.findings).toEqual([]);
  });

  it("reports a customer egress rule that decides before segsync's egress rules", async () => {
    const bed = new GcpTestbed(ESTATE, DEFAULT_GCP_QUOTAS);
    bed.sim.createFirewall({
      name: "early-out",
      network: "prod-net",
      direction: "EGRESS",
      priority: 100,
      allowed: [{ IPProtocol: "tcp", ports: ["25"] }],
    });
    const enforced = await bed.reconcile(policyWith("enforced"), [], "exclusive");
    expect(enforced.desired.findings.map((f) => f.message)).toEqual([
      "egress firewall rule early-out (priority 100) decides before segsync's egress rules (900) for the instances it targets",
    ]);
    const open = await new GcpTestbed(ESTATE, DEFAULT_GCP_QUOTAS).reconcile(
      policyWith("open"),
      [],
      "exclusive",
    );
    expect(open.desired.findings).toEqual([]);
  });
});

describe("GCP evaluator: egress on native rules", () => {
  const instance = {
    name: "vm-1",
    zone: "us-central1-a",
    status: "RUNNING" as const,
    tags: { items: ["app"] },
    networkInterfaces: [{ network: NET_URL, networkIP: "10.20.0.11" }],
  };
  const egress = (over: Partial<GcpFirewall>): GcpFirewall => ({
    name: "r",
    network: NET_URL,
    priority: 1000,
    direction: "EGRESS",
    destinationRanges: ["0.0.0.0/0"],
    denied: [{ IPProtocol: "all" }],
    ...over,
  });
  const verdict = (
    firewalls: GcpFirewall[],
    address: string,
    protocol: "tcp" | "udp" | "icmp" = "tcp",
    port = 443,
  ) => {
    const got = evaluateGcp([{ project: PROJECT, instances: [instance], firewalls }]).explainEgress(
      PROJECT,
      "us-central1-a",
      "vm-1",
      `${PROJECT}/prod-net`,
      address,
      protocol,
      port,
    );
    return `${got.access} ${got.rule?.name ?? got.implied}`;
  };

  it("allows what no rule decides (the implied allow-egress at 65535), and never filters the metadata server", () => {
    expect(verdict([], "8.8.8.8")).toBe("allow allow-egress");
    expect(verdict([egress({ name: "deny-all", priority: 0 })], "169.254.169.254", "udp", 53)).toBe(
      "allow metadata-server",
    );
    expect(verdict([egress({ name: "deny-all", priority: 0 })], "8.8.8.8")).toBe("deny deny-all");
  });

  it("decides by priority, a deny winning at equal priority, among rules that target the instance and hold the address", () => {
    const allow = (over: Partial<GcpFirewall>) =>
      egress({ denied: undefined, allowed: [{ IPProtocol: "tcp", ports: ["443"] }], ...over });
    const rules = [
      egress({ name: "deny-late", priority: 2000 }),
      allow({ name: "allow-gw", priority: 900, destinationRanges: ["198.51.100.0/24"] }),
      allow({ name: "other-tag", priority: 10, targetTags: ["db"] }),
      allow({ name: "off", priority: 5, disabled: true }),
      allow({ name: "v6", priority: 5, destinationRanges: ["::/0"] }),
    ];
    expect(verdict(rules, "198.51.100.7")).toBe("allow allow-gw");
    expect(verdict(rules, "198.51.100.7", "tcp", 22)).toBe("deny deny-late");
    expect(verdict(rules, "8.8.8.8")).toBe("deny deny-late");
    const tie = [allow({ name: "a", priority: 900 }), egress({ name: "d", priority: 900 })];
    expect(verdict(tie, "8.8.8.8")).toBe("deny d");
    expect(
      verdict([egress({ name: "ingress", direction: "INGRESS", sourceRanges: ["0.0.0.0/0"] })], "8.8.8.8"),
    ).toBe("allow allow-egress");
  });
});

describe("GCP provider: explainEgress", () => {
  it("names the rule that lets the source send, the metadata server or the implied rule; undefined when blocked", async () => {
    const { bed } = await planned(policyWith("enforced"));
    const provider = createGcpProvider({
      quotas: DEFAULT_GCP_QUOTAS,
      priorities: DEFAULT_GCP_PRIORITIES,
      sealer: SEALER,
    });
    const explain = provider.evaluate(bed.state()).explainEgress;
    if (explain === undefined) throw new Error("the GCP evaluator models egress");
    const from = (name: string, destinationAddress: string, port: number) =>
      explain({
        workload: `gcp:${PROJECT}:us-central1-a:${name}`,
        network: NET,
        destinationAddress,
        protocol: "tcp",
        port,
      });
    expect(from("api-1", "198.51.100.7", 443)?.object).toMatch(/^firewall segsync-[a-z0-9-]+-r4-0$/);
    expect(from("api-1", "198.51.100.7", 80)).toBeUndefined();
    expect(from("api-1", "169.254.169.254", 80)).toEqual({
      object: "metadata server",
      rule: "always allowed, whatever the firewall rules say",
    });
    expect(from("api-1", "199.36.153.10", 443)?.object).toMatch(/-eplatform-0$/);
    // Not GCP's to explain: another cloud's workload.
    expect(
      explain({
        workload: "aws:111111111111:us-east-1:i-0a00000000000001",
        network: NET,
        destinationAddress: "198.51.100.7",
        protocol: "tcp",
        port: 443,
      }),
    ).toBeUndefined();
    // Open egress: the implied allow-egress rule.
    const open = await planned(policyWith("open"));
    expect(
      provider.evaluate(open.bed.state()).explainEgress?.({
        workload: `gcp:${PROJECT}:us-central1-a:api-1`,
        network: NET,
        destinationAddress: "8.8.8.8",
        protocol: "udp",
        port: 53,
      }),
    ).toEqual({ object: "implied rule", rule: "priority 65535, allow all egress" });
  });
});
