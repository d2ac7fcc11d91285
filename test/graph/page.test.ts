import { describe, expect, it } from "vitest";
import { flowGraph } from "../../lib/graph/build.js";
import type { FlowGraph } from "../../lib/graph/model.js";
import { overlayObserved } from "../../lib/graph/observed.js";
import { toHtml } from "../../lib/graph/page.js";
import { intentOf, WARNINGS } from "./fixtures.js";

const HOSTILE_IDENTITY = `app=<script>alert("x")</script>,role='q'`;
const HOSTILE_LIST = `ipList "><img src=x onerror=alert(1)>`;
const HOSTILE_MESSAGE = `</li><script>alert('m')</script>`;

/** A graph whose every text that comes from input is markup. */
const hostile: FlowGraph = {
  nodes: [
    {
      id: `aws|${HOSTILE_IDENTITY}`,
      kind: "identity",
      group: "aws",
      label: HOSTILE_IDENTITY,
      workloads: [
        { id: "aws:111111111111:us-east-1:i-0a00000000000001", name: "<b>i-1</b>", state: "enforced" },
      ],
      cidrs: [],
      state: "enforced",
      findings: [0],
    },
    {
      id: `external|${HOSTILE_LIST}`,
      kind: "ipList",
      group: "external",
      label: HOSTILE_LIST,
      workloads: [],
      cidrs: ["<svg onload=alert(2)>"],
      state: "external",
      findings: [],
    },
  ],
  edges: [
    {
      id: `external|${HOSTILE_LIST}→aws|${HOSTILE_IDENTITY}`,
      from: `external|${HOSTILE_LIST}`,
      to: `aws|${HOSTILE_IDENTITY}`,
      services: [{ protocol: "tcp", fromPort: 443, toPort: 443 }],
      rules: [`r"'<x>`],
      kind: "normal",
      findings: [0],
    },
  ],
  findings: [{ code: "non-portable-label", severity: "warning", subject: "<s>", message: HOSTILE_MESSAGE }],
};

const SUMMARY = {
  connections: 3,
  groups: 2,
  wouldBlock: 1,
  allowed: 1,
  denied: 1,
  notEnforced: 0,
  unknown: 0,
  directionUnknown: 0,
  malformed: 0,
};

/** Observed flows whose every text that comes from input is markup. */
const hostileObserved = overlayObserved(
  hostile,
  {
    summary: SUMMARY,
    groups: [
      {
        source: { kind: "ipList", name: `"><img src=x onerror=alert(3)>`, address: "192.0.2.7" },
        destination: {
          kind: "workload",
          workload: "aws:111111111111:us-east-1:i-0a00000000000001",
          identity: HOSTILE_IDENTITY,
        },
        service: "tcp/22",
        observed: "accepted",
        connections: 2,
        firstSeen: "2026-11-30T08:00:00Z",
        lastSeen: "2026-11-30T09:00:00Z",
        verdict: { kind: "denied", rule: "<b>deny</b>", onceEnforced: false },
        wouldBlock: true,
      },
      {
        source: { kind: "outside", address: "198.51.100.7" },
        destination: { kind: "outside", address: "198.51.100.8" },
        service: "udp/53",
        observed: "accepted",
        connections: 1,
        firstSeen: "2026-11-30T08:00:00Z",
        lastSeen: "2026-11-30T08:00:00Z",
        verdict: { kind: "unknown", reason: "<script>alert(4)</script>" },
        wouldBlock: false,
      },
    ],
    findings: [{ code: "<i>c</i>", subject: "<x>", message: "<script>alert(5)</script>" }],
  },
  `<i>check</i>.json`,
);

/** The elements a page is made of; anything else would be markup that came from the input. */
const PAGE_TAGS = new Set(
  "html head meta title style body h1 h2 p section span svg defs marker path g rect text circle a div ol li strong table thead tbody tr th td".split(
    " ",
  ),
);

describe("the graph page", () => {
  it("shows every text from the input as text: no markup gets in", async () => {
    const page = await toHtml(hostile, { source: `<i>estate</i>"` });
    const tags = new Set([...page.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((m) => m[1]?.toLowerCase()));
    expect([...tags].filter((tag) => !PAGE_TAGS.has(tag ?? ""))).toEqual([]);
    expect(page).not.toMatch(/<script|<img|<svg onload|<b>|<i>|<x>/i);
    // Attribute values cannot be closed by a quote from the input.
    expect(page).toContain(
      'data-node="aws|app=&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;,role=&#39;q&#39;"',
    );
    expect(page).toContain("&lt;/li&gt;&lt;script&gt;alert(&#39;m&#39;)&lt;/script&gt;");
    expect(page).toContain("ipList &quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(page).toContain("&lt;svg onload=alert(2)&gt;");
  });

  it("shows every text of observed flows as text too", async () => {
    const page = await toHtml(hostileObserved, { source: "estate" });
    const tags = new Set([...page.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((m) => m[1]?.toLowerCase()));
    expect([...tags].filter((tag) => !PAGE_TAGS.has(tag ?? ""))).toEqual([]);
    expect(page).not.toMatch(/<script|<img|<b>|<i>|<x>/i);
    expect(page).toContain("&lt;script&gt;alert(4)&lt;/script&gt;");
    expect(page).toContain("&lt;script&gt;alert(5)&lt;/script&gt;");
    expect(page).toContain("denied by &lt;b&gt;deny&lt;/b&gt;");
    expect(page).toContain("Observed flows (&lt;i&gt;check&lt;/i&gt;.json)");
  });

  it("is self-contained and the same bytes for the same graph", async () => {
    const graph = flowGraph(await intentOf(WARNINGS));
    const [first, second] = await Promise.all([
      toHtml(graph, { source: WARNINGS.estate }),
      toHtml(flowGraph(await intentOf(WARNINGS)), { source: WARNINGS.estate }),
    ]);
    expect(first).toBe(second);
    expect(first).not.toMatch(/<script|<link|<img|https?:|@import|url\((?!#)/);
    for (const node of graph.nodes) expect(first).toContain(`data-node="${node.id}"`);
    expect(first.match(/ data-edge="/g)).toHaveLength(graph.edges.length);
    expect(first.match(/<tr data-flow="/g)).toHaveLength(graph.edges.length);
    for (const [index] of graph.findings.entries()) expect(first).toContain(`id="finding-${index}"`);
  });
});
