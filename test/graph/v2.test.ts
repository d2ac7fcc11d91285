/** The graph of a v2 policy (examples/policy-v2.yaml): deny edges, egress-enforced identities, egress to an ipList. */
import { beforeAll, describe, expect, it } from "vitest";
import { flowGraph } from "../../lib/graph/build.js";
import type { FlowGraph } from "../../lib/graph/model.js";
import { countEdges, toDot, toMermaid } from "../../lib/graph/text.js";
import { drawnFrom, EXAMPLES, EXAMPLES_V2 } from "./fixtures.js";

const AWS_API = "aws|app=shop,env=prod,loc=us,role=api";
const AWS_SHOP_DEV = "aws|app=shop,env=dev,role=web";
const GATEWAY = "external|ipList payments-gateway";

describe("flowGraph of examples/policy-v2.yaml", () => {
  let graph: FlowGraph;
  beforeAll(async () => {
    const { intent, policy } = await drawnFrom(EXAMPLES_V2);
    graph = flowGraph(intent, policy);
  }, 60_000);
  const edge = (id: string) => graph.edges.find((e) => e.id === id);

  it("draws each deny rule between the running identities it stands between, with its services", () => {
    expect(edge(`deny:${AWS_SHOP_DEV}→${AWS_API}`)).toEqual({
      id: `deny:${AWS_SHOP_DEV}→${AWS_API}`,
      from: AWS_SHOP_DEV,
      to: AWS_API,
      services: [{ protocol: "all" }],
      rules: ["shop-prod#deny-0"],
      kind: "deny",
      findings: [],
    });
    expect(edge(`deny:${AWS_API}→${AWS_SHOP_DEV}`)?.rules).toEqual(["dev-boundaries#deny-0"]);
    const denies = graph.edges.filter((e) => e.kind === "deny");
    // A stopped identity stands in no deny edge; every deny edge joins two drawn nodes.
    const ids = new Set(graph.nodes.map((n) => n.id));
    for (const e of denies) expect(ids.has(e.from) && ids.has(e.to)).toBe(true);
    expect(denies.some((e) => e.from.includes("app=blog,env=dev,role=web"))).toBe(false);
    // dev-boundaries#deny-1 (to role=db in dev) selects no running workload: no edge.
    expect(denies.flatMap((e) => e.rules)).not.toContain("dev-boundaries#deny-1");
  });

  it("counts the deny edges apart from the flows", () => {
    const denies = graph.edges.filter((e) => e.kind === "deny").length;
    expect(denies).toBeGreaterThan(0);
    expect(countEdges(graph)).toBe(`${graph.edges.length - denies} flows, ${denies} deny edges`);
  });

  it("lists an ipList's own CIDRs in its node, not the part of it that deny rules left", () => {
    expect(graph.nodes.find((n) => n.id === "external|ipList anywhere")?.cidrs).toEqual(["0.0.0.0/0"]);
  });

  it("marks the identities whose egress is enforced, and only those", () => {
    const marked = graph.nodes.filter((n) => n.egress === "enforced").map((n) => n.id);
    expect(marked).toEqual([
      "aws|app=shop,env=prod,loc=us,role=api",
      "aws|app=shop,env=prod,loc=us,role=db",
      "aws|app=shop,env=prod,loc=us,role=web",
      "azure|app=shop,env=prod,loc=us,role=api",
      "azure|app=shop,env=prod,loc=us,role=batch",
      "gcp|app=shop,env=prod,loc=us,role=db",
      "gcp|app=shop,env=prod,loc=us,role=web",
    ]);
  });

  it("draws a rule to an ipList from each egress-enforced source to the ipList's node", () => {
    expect(graph.nodes.find((n) => n.id === GATEWAY)).toMatchObject({
      kind: "ipList",
      cidrs: ["198.51.100.0/24"],
    });
    for (const from of [AWS_API, "azure|app=shop,env=prod,loc=us,role=api"])
      expect(edge(`${from}→${GATEWAY}`)).toMatchObject({
        kind: "normal",
        services: [{ protocol: "tcp", fromPort: 443, toPort: 443 }],
        rules: ["shop-prod#3"],
      });
  });

  it("writes deny edges and egress-enforced nodes distinctly in Mermaid and DOT", () => {
    const mermaid = toMermaid(graph).split("\n");
    expect(mermaid).toContain("  classDef egress stroke:#2e7d32,stroke-width:4px");
    expect(mermaid.filter((line) => line.endsWith('(egress enforced)"]:::egress'))).toHaveLength(7);
    const denyLines = mermaid.filter((line) => line.includes(' -.-x|"deny all"| '));
    expect(denyLines).toHaveLength(graph.edges.filter((e) => e.kind === "deny").length);
    for (const [index, e] of graph.edges.entries()) {
      if (e.kind !== "deny") continue;
      expect(mermaid).toContain(
        `  linkStyle ${index} stroke:#c62828,stroke-width:2px,stroke-dasharray:6 4,color:#c62828`,
      );
    }
    const dot = toDot(graph);
    expect(dot).toContain('[label="deny all", style=dashed, color=red, fontcolor=red, arrowhead=box];');
    expect(dot).toContain('[label="app=shop,env=prod,loc=us,role=api (egress enforced)", peripheries=2];');
    expect(dot).toMatch(/ -> n\d+ \[label="tcp\/443"\];/);
  });
});

describe("flowGraph of a v1 policy", () => {
  it("is the same with the policy as without: no deny edge, no egress mark", async () => {
    const { intent, policy } = await drawnFrom(EXAMPLES);
    const graph = flowGraph(intent, policy);
    expect(graph).toEqual(flowGraph(intent));
    expect(toMermaid(graph)).not.toMatch(/deny|egress|linkStyle/);
  }, 60_000);
});
