import { beforeAll, describe, expect, it } from "vitest";
import { flowGraph } from "../../lib/graph/build.js";
import type { FlowGraph } from "../../lib/graph/model.js";
import { toDot, toMermaid } from "../../lib/graph/text.js";
import { EXAMPLES, intentOf, WARNINGS } from "./fixtures.js";

const AWS = "aws:111111111111:us-east-1";
const API = `aws|app=shop,role=api`;
const GCP_WEB = "gcp|app=shop,role=web";
const AZURE_BATCH = "azure|app=shop,role=batch";

describe("flowGraph on test/fixtures/graph (every state and edge kind)", () => {
  let graph: FlowGraph;
  beforeAll(async () => {
    graph = flowGraph(await intentOf(WARNINGS));
  });
  const node = (id: string) => graph.nodes.find((n) => n.id === id);
  const edge = (from: string, to: string) => graph.edges.find((e) => e.from === from && e.to === to);

  it("puts each workload in its identity's node with its state, and unlabelled ones in the cloud's unmanaged node", () => {
    expect(node(API)?.state).toBe("enforced");
    expect(node(API)?.workloads).toEqual([
      { id: `${AWS}:i-0a00000000000001`, name: "i-0a00000000000001", state: "enforced" },
    ]);
    expect(node("aws|app=shop,role=web")?.state).toBe("stopped");
    expect(node("aws|app=blog,role=web")?.state).toBe("visibility");
    expect(node("aws|unmanaged")).toMatchObject({
      kind: "unmanaged",
      label: "unmanaged workloads",
      state: "unmanaged",
      workloads: [{ id: `${AWS}:i-0a00000000000003`, name: "i-0a00000000000003", state: "unmanaged" }],
    });
    expect(node("external|ipList office")).toMatchObject({
      kind: "ipList",
      cidrs: ["192.0.2.0/24"],
      state: "external",
    });
    expect(graph.nodes.map((n) => n.id)).toEqual([...graph.nodes.map((n) => n.id)].sort());
  });

  it("gives each edge its kind: normal, visibility, via NAT, unreachable", () => {
    expect(edge("external|ipList office", GCP_WEB)).toMatchObject({ kind: "normal", rules: ["shop#1"] });
    expect(edge("aws|app=blog,role=web", "aws|app=blog,role=db")?.kind).toBe("visibility");
    expect(edge(GCP_WEB, API)?.kind).toBe("nat");
    expect(edge(AZURE_BATCH, API)?.kind).toBe("unreachable");
  });

  it("attaches each finding to the node of its workload and to the edges it is about", () => {
    const index = (code: string) => graph.findings.findIndex((f) => f.code === code);
    const nat = index("nat-shared-source");
    const unreachable = index("unreachable-source");
    const label = index("non-portable-label");
    expect(Math.min(nat, unreachable, label)).toBeGreaterThanOrEqual(0);
    expect(node(GCP_WEB)?.findings).toEqual([nat]);
    expect(edge(GCP_WEB, API)?.findings).toEqual([nat]);
    expect(node(AZURE_BATCH)?.findings).toEqual([unreachable]);
    expect(edge(AZURE_BATCH, API)?.findings).toEqual([unreachable]);
    expect(node("aws|unmanaged")?.findings.map((i) => graph.findings[i]?.code)).toContain(
      "non-portable-label",
    );
    expect(edge("external|ipList office", GCP_WEB)?.findings).toEqual([]);
  });

  it("draws the edge kinds in Mermaid and DOT", () => {
    const mermaid = toMermaid(graph);
    expect(mermaid).toMatch(/ -\.->\|"tcp\/5432 \(visibility\)"\| /);
    expect(mermaid).toMatch(/ ==>\|"tcp\/8080 \(via NAT\)"\| /);
    expect(mermaid).toMatch(/ --x\|"tcp\/8080 \(unreachable\)"\| /);
    expect(mermaid).toContain('["app=shop,role=web (stopped)"]');
    const dot = toDot(graph);
    expect(dot).toContain('[label="tcp/8080 (via NAT)", style=bold, color=darkorange];');
    expect(dot).toContain('[label="tcp/8080 (unreachable)", style=dotted, color=red, arrowhead=tee];');
    expect(dot).toContain('[label="tcp/5432 (visibility)", style=dashed];');
    expect(dot).toContain('[label="unmanaged workloads", style=dashed];');
  });
});

describe("flowGraph on the examples", () => {
  it("marks the flows from AWS and Azure to GCP's db as unreachable, as the compiler's findings say", async () => {
    const graph = flowGraph(await intentOf(EXAMPLES));
    const unreachable = graph.edges.filter((e) => e.kind === "unreachable").map((e) => `${e.from} → ${e.to}`);
    expect(unreachable).toEqual([
      "aws|app=monitoring,env=prod,role=prometheus → gcp|app=shop,env=prod,loc=us,role=db",
      "aws|app=monitoring,env=prod,role=prometheus → gcp|app=shop,env=prod,loc=us,role=web",
      "aws|app=shop,env=prod,loc=us,role=api → gcp|app=shop,env=prod,loc=us,role=db",
      "azure|app=shop,env=prod,loc=us,role=api → gcp|app=shop,env=prod,loc=us,role=db",
      "azure|app=shop,env=prod,loc=us,role=batch → gcp|app=shop,env=prod,loc=us,role=db",
    ]);
    expect(graph.findings.filter((f) => f.code === "unreachable-source")).toHaveLength(4);
    for (const e of graph.edges.filter((e) => e.kind === "unreachable"))
      expect(e.findings.length).toBeGreaterThan(0);
  });
});
