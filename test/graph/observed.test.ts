import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { flowGraph } from "../../lib/graph/build.js";
import { type CheckReport, parseCheckReport } from "../../lib/graph/check-report.js";
import { FlowCheckReportError } from "../../lib/graph/errors.js";
import type { FlowGraph } from "../../lib/graph/model.js";
import { overlayObserved } from "../../lib/graph/observed.js";
import { MAX_OUTSIDE_NODES, OTHER_OUTSIDE } from "../../lib/graph/observed-nodes.js";
import { toDot, toMermaid } from "../../lib/graph/text.js";
import { REPO_ROOT } from "../policy/fixtures.js";
import { intentOf, WARNINGS } from "./fixtures.js";

const CHECK = "test/fixtures/graph/check.json";
const checkText = () => readFileSync(join(REPO_ROOT, CHECK), "utf8");

const AWS = "aws:111111111111:us-east-1";
const API = "aws|app=shop,role=api";
const GCP_WEB = "gcp|app=shop,role=web";

/** The check report with its groups replaced: a hand-written variant of the fixture. */
function withGroups(groups: CheckReport["groups"]): CheckReport {
  return { ...parseCheckReport(checkText(), CHECK), groups };
}

describe("overlayObserved on test/fixtures/graph (check.json follows the flows check --json contract)", () => {
  let policy: FlowGraph;
  let graph: FlowGraph;
  beforeAll(async () => {
    policy = flowGraph(await intentOf(WARNINGS));
    graph = overlayObserved(policy, parseCheckReport(checkText(), CHECK), CHECK);
  });
  const observed = (kind: string, from: string, to: string) =>
    graph.observed?.edges.find((e) => e.kind === kind && e.from === from && e.to === to);
  const node = (id: string) => graph.nodes.find((n) => n.id === id);

  it("maps workloads to their identity's node in their cloud, with counts, times and the deciding rule", () => {
    expect(observed("would-block", GCP_WEB, API)).toEqual({
      id: `would-block:${GCP_WEB}→${API}`,
      from: GCP_WEB,
      to: API,
      kind: "would-block",
      services: ["tcp/22"],
      connections: 5,
      accepted: 5,
      rejected: 0,
      groups: 1,
      firstSeen: "2026-11-30T08:00:00Z",
      lastSeen: "2026-11-30T17:45:10Z",
      rules: ["default deny"],
      reasons: [],
      onceEnforced: false,
    });
    expect(observed("allowed", GCP_WEB, API)).toMatchObject({ services: ["tcp/8080"], rules: ["shop#0"] });
    expect(observed("allowed", "aws|app=blog,role=web", "aws|app=blog,role=db")).toMatchObject({
      connections: 40,
      rules: ["blog#0"],
      onceEnforced: true,
    });
  });

  it("groups outside addresses per /24 into one node that lists them, and adds their groups up", () => {
    const block = "outside|198.51.100.0/24";
    expect(node(block)).toMatchObject({
      kind: "outside",
      group: "outside",
      label: "198.51.100.0/24",
      state: "external",
      seen: ["198.51.100.23", "198.51.100.7"],
    });
    expect(observed("would-block", block, GCP_WEB)).toMatchObject({
      connections: 3,
      groups: 2,
      firstSeen: "2026-11-30T06:01:00Z",
      lastSeen: "2026-11-30T09:14:30Z",
    });
    expect(observed("unknown", API, "outside|203.0.113.0/24")?.reasons).toEqual(["not enforced"]);
  });

  it("maps an ipList address to the policy's ipList node, keeping its CIDRs", () => {
    expect(node("external|ipList office")).toMatchObject({ cidrs: ["192.0.2.0/24"], seen: ["192.0.2.10"] });
    expect(observed("allowed", "external|ipList office", GCP_WEB)).toMatchObject({
      connections: 4,
      rules: ["shop#1"],
    });
  });

  it("puts a workload without identity in its cloud's unmanaged node, and adds an identity only the flows name", () => {
    expect(observed("unknown", "aws|unmanaged", API)?.reasons).toEqual([
      "the source has no segsync identity",
    ]);
    expect(node("aws|unmanaged")?.seen).toBeUndefined();
    expect(node("aws|app=shop,role=cache")).toMatchObject({
      kind: "identity",
      group: "aws",
      state: "absent",
      workloads: [],
      seen: [`${AWS}:i-0a00000000000009`],
    });
    expect(observed("blocked", "aws|app=shop,role=cache", API)).toMatchObject({
      accepted: 0,
      rejected: 6,
      rules: ["default deny"],
    });
  });

  it("lists would-be-blocked edges first, keeps the policy's edges, and marks those no flow went along", () => {
    const kinds = graph.observed?.edges.map((e) => e.kind);
    expect(kinds).toEqual([
      "would-block",
      "would-block",
      "unknown",
      "unknown",
      "blocked",
      "allowed",
      "allowed",
      "allowed",
    ]);
    expect(graph.edges).toEqual(policy.edges);
    expect(graph.findings).toEqual(policy.findings);
    expect(graph.observed?.notObserved).toEqual([`azure|app=shop,role=batch→${API}`]);
    expect(graph.nodes.map((n) => n.id)).toEqual([...graph.nodes.map((n) => n.id)].sort());
    expect(graph.observed?.summary.wouldBlock).toBe(3);
    expect(graph.observed?.findings.map((f) => f.code)).toEqual(["direction-unknown", "malformed"]);
  });
});

describe("overlayObserved, edge by edge", () => {
  const policy: FlowGraph = { nodes: [], edges: [], findings: [] };
  const group = (service: string, connections: number, firstSeen: string, lastSeen: string) => ({
    source: { kind: "outside" as const, address: "2001:db8:1:2::7" },
    destination: { kind: "outside" as const, address: "2001:db8:1:2:ffff::1" },
    service,
    observed: "accepted" as const,
    connections,
    firstSeen,
    lastSeen,
    verdict: { kind: "not-enforced" as const },
    wouldBlock: false,
  });

  it("adds up the groups of one kind between two nodes: services by port, counts, earliest and latest times", () => {
    const graph = overlayObserved(
      policy,
      withGroups([
        group("tcp/8080", 2, "2026-11-30T10:00:00Z", "2026-11-30T11:00:00Z"),
        group("tcp/22", 1, "2026-11-30T09:00:00.500Z", "2026-11-30T09:30:00Z"),
        group("tcp/443", 4, "2026-11-30T12:00:00Z", "2026-11-30T13:00:00.250Z"),
      ]),
      "check.json",
    );
    const block = "outside|2001:db8:1:2::/64";
    expect(graph.nodes.map((n) => n.id)).toEqual([block]);
    expect(graph.observed?.edges).toEqual([
      expect.objectContaining({
        from: block,
        to: block,
        services: ["tcp/22", "tcp/443", "tcp/8080"],
        connections: 7,
        groups: 3,
        firstSeen: "2026-11-30T09:00:00.500Z",
        lastSeen: "2026-11-30T13:00:00.250Z",
      }),
    ]);
  });
});

describe("overlayObserved, outside blocks", () => {
  it(`keeps a node for the ${MAX_OUTSIDE_NODES - 1} busiest outside blocks, and one for all the others`, () => {
    const blocks = 25;
    const groups = Array.from({ length: blocks }, (_, i) => ({
      source: { kind: "outside" as const, address: `198.18.${i}.1` },
      destination: { kind: "outside" as const, address: "203.0.113.9" },
      service: "tcp/443",
      observed: "rejected" as const,
      connections: 100 + i,
      firstSeen: "2026-11-30T10:00:00Z",
      lastSeen: "2026-11-30T11:00:00Z",
      verdict: { kind: "not-enforced" as const },
      wouldBlock: false,
    }));
    const graph = overlayObserved({ nodes: [], edges: [], findings: [] }, withGroups(groups), "check.json");
    const outside = graph.nodes.filter((n) => n.kind === "outside");
    expect(outside).toHaveLength(MAX_OUTSIDE_NODES);
    // The destination's block is the busiest of all: every group goes to it.
    expect(outside.map((n) => n.id)).toContain("outside|203.0.113.0/24");
    expect(outside.map((n) => n.id)).toContain("outside|198.18.24.0/24");
    expect(outside.map((n) => n.id)).not.toContain("outside|198.18.6.0/24");
    const other = graph.nodes.find((n) => n.id === OTHER_OUTSIDE);
    expect(other).toMatchObject({ label: "other outside addresses", state: "external" });
    expect(other?.seen).toEqual([
      "198.18.0.0/24",
      "198.18.1.0/24",
      "198.18.2.0/24",
      "198.18.3.0/24",
      "198.18.4.0/24",
      "198.18.5.0/24",
      "198.18.6.0/24",
    ]);
    const fromOther = graph.observed?.edges.find((e) => e.from === OTHER_OUTSIDE);
    expect(fromOther).toMatchObject({ groups: 7, connections: 100 + 101 + 102 + 103 + 104 + 105 + 106 });
  });
});

describe("parseCheckReport", () => {
  const document = () => JSON.parse(checkText());
  const problem = (edit: (doc: ReturnType<typeof document>) => void): string => {
    const doc = document();
    edit(doc);
    try {
      parseCheckReport(JSON.stringify(doc), "check.json");
    } catch (error) {
      expect(error).toBeInstanceOf(FlowCheckReportError);
      return (error as Error).message;
    }
    throw new Error("parsed");
  };

  it("reads the fixture as the contract writes it", () => {
    expect(parseCheckReport(checkText(), CHECK).groups).toHaveLength(9);
  });

  it("names the file and the path of the first value that breaks the contract", () => {
    expect(problem((doc) => (doc.groups[2].verdict.kind = "maybe"))).toMatch(
      /^check\.json: groups\.2\.verdict\.kind: /,
    );
    expect(problem((doc) => delete doc.summary.malformed)).toMatch(/^check\.json: summary\.malformed: /);
    expect(problem((doc) => (doc.groups[1].source.address = "198.51.100.300"))).toBe(
      "check.json: groups.1.source.address: must be an IPv4 or IPv6 address",
    );
    expect(problem((doc) => (doc.groups[0].destination.workload = "aws:1:us-east-1:i-1"))).toMatch(
      /^check\.json: groups\.0\.destination\.workload: .*account "1" must be 12 digits/,
    );
    expect(problem((doc) => (doc.groups[1].firstSeen = "yesterday"))).toMatch(
      /^check\.json: groups\.1\.firstSeen: /,
    );
    expect(problem((doc) => (doc.groups[3].service = "tcp/70000"))).toBe(
      "check.json: groups.3.service: port must be at most 65535",
    );
    expect(problem((doc) => (doc.groups[4].connections = 0))).toMatch(
      /^check\.json: groups\.4\.connections: /,
    );
  });

  it("refuses a wouldBlock that is not what the observation and the verdict make it", () => {
    expect(problem((doc) => (doc.groups[0].wouldBlock = false))).toBe(
      "check.json: groups.0.wouldBlock: must be true: true exactly when observed is accepted and the verdict denied",
    );
    expect(problem((doc) => (doc.groups[6].wouldBlock = true))).toMatch(
      /^check\.json: groups\.6\.wouldBlock: must be false/,
    );
    expect(problem((doc) => (doc.groups[0].lastSeen = "2026-11-29T00:00:00Z"))).toBe(
      "check.json: groups.0.lastSeen: is before firstSeen",
    );
  });

  it("says when the file is not JSON", () => {
    expect(() => parseCheckReport("{ not json", "check.json")).toThrow(
      "check.json: not JSON: --flows reads what `segsync flows check --json` writes",
    );
  });
});

describe("the overlay in Mermaid and DOT", () => {
  let graph: FlowGraph;
  beforeAll(async () => {
    graph = overlayObserved(flowGraph(await intentOf(WARNINGS)), parseCheckReport(checkText(), CHECK), CHECK);
  });

  it("draws each observed kind with its own arrow and colour, styled by its link's index", () => {
    const mermaid = toMermaid(graph);
    expect(mermaid).toContain("%% observed flows (graph --flows), drawn over the policy's edges:");
    expect(mermaid).toMatch(/ ==x\|"tcp\/22: 5 seen, would be blocked"\| /);
    expect(mermaid).toMatch(/ -\.-o\|"tcp\/443: 3 seen, verdict unknown"\| /);
    expect(mermaid).toMatch(/ -\.-x\|"tcp\/8080: 6 seen, rejected and denied"\| /);
    expect(mermaid).toMatch(/ --o\|"tcp\/8080: 12 seen"\| /);
    // linkStyle N styles the N-th link (from 0), policy links included.
    const lines = mermaid.split("\n");
    let links = 0;
    for (const [i, line] of lines.entries()) {
      const style = /^ {2}linkStyle (\d+) stroke:(#[0-9a-f]{6})/.exec(line);
      if (style) {
        expect(Number(style[1]), line).toBe(links - 1);
        const kind = /^ {2}n\d+ (\S+)\|/.exec(lines[i - 1] ?? "")?.[1];
        expect({ "==x": "#d81b60", "-.-o": "#f9a825", "-.-x": "#757575", "--o": "#2e7d32" }[kind ?? ""]).toBe(
          style[2],
        );
      } else if (/^ {2}n\d+ \S+\|/.test(line)) links += 1;
    }
    expect(links).toBe(graph.edges.length + (graph.observed?.edges.length ?? 0));
  });

  it("gives each observed kind its own DOT style, none a policy edge's, with a legend comment", () => {
    const dot = toDot(graph);
    expect(dot).toContain("  // observed flows (graph --flows), drawn over the policy's edges:");
    const styles = ["would be blocked", "verdict unknown", "rejected and denied", "12 seen"].map(
      (label) => new RegExp(`label="[^"]*${label}", ([^\\]]+)\\];`).exec(dot)?.[1],
    );
    expect(styles.every((style) => style !== undefined)).toBe(true);
    expect(new Set(styles).size).toBe(4);
    expect(dot).toContain('n10 [label="198.51.100.0/24", style=dashed];');
  });
});
