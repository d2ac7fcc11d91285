/**
 * The self-contained HTML page of `graph --format html` (docs/graph.md): the SVG laid out at
 * generation time, a legend, the findings (marked on their nodes), and the flows as a table. No
 * script, no external style, font or image: it opens from disk, offline, and shows everything.
 */
import { formatService } from "../policy/services.js";
import { escapeHtml as esc } from "./escape.js";
import { layoutGraph } from "./layout.js";
import {
  type EdgeKind,
  type FlowGraph,
  type ObservedOverlay,
  WORKLOAD_STATES,
  type WorkloadState,
} from "./model.js";
import {
  checkFindings,
  OBSERVED_STYLE,
  observedLegend,
  observedSummary,
  observedTable,
} from "./observed-page.js";
import { toSvg } from "./svg.js";
import { countEdges, drawnKinds, nodeName } from "./text.js";

const STYLE = `
body{font-family:sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}
.picture{overflow:auto;border:1px solid #ddd;margin:1em 0}
svg.graph text{font-family:"DejaVu Sans Mono","Liberation Mono",monospace;font-size:12px;fill:#222}
.cluster rect{fill:#f7f9fc;stroke:#9aa5b1}
.cluster text{font-weight:bold}
.node rect{fill:#fff;stroke-width:2}
.node .title{font-weight:bold}
.state-enforced rect,.mark.state-enforced{stroke:#2e7d32}.mark.state-enforced{fill:#2e7d32}
.state-visibility rect,.mark.state-visibility{stroke:#1565c0}.mark.state-visibility{fill:#1565c0}
.state-unscoped rect,.mark.state-unscoped{stroke:#757575}.mark.state-unscoped{fill:#fff;stroke-width:2}
.state-unmanaged rect{stroke:#9e9e9e;stroke-dasharray:4 3}.mark.state-unmanaged{fill:#e0e0e0;stroke:#9e9e9e}
.state-stopped rect{stroke:#bdbdbd;fill:#f2f2f2}.mark.state-stopped{fill:#bdbdbd}
.state-external rect{stroke:#6a1b9a}
.edge path{fill:none;stroke-width:1.5}
.edge .label{fill:#fff;opacity:.85}
.kind-normal path,.arrow-normal{stroke:#333;fill:#333}
.kind-visibility path{stroke:#1565c0;stroke-dasharray:6 4}.arrow-visibility{fill:#1565c0}
.kind-nat path{stroke:#e65100;stroke-width:3.5}.arrow-nat{fill:#e65100}
.kind-unreachable path{stroke:#c62828;stroke-dasharray:2 3}.arrow-unreachable{stroke:#c62828;stroke-width:1.5;fill:none}
.edge.kind-normal path{fill:none}.edge.kind-visibility path,.edge.kind-nat path,.edge.kind-unreachable path{fill:none}
.badge circle{fill:#c62828}.badge text{fill:#fff;font-weight:bold}
.legend{display:flex;flex-wrap:wrap;gap:.4em 1.5em;font-size:.9em}
.legend svg{vertical-align:middle}
table{border-collapse:collapse}td,th{border:1px solid #999;padding:.3em .6em;text-align:left}
.findings li.warning{color:#8a1c1c}
`.trim();

/** Only on a page whose graph has deny edges or egress-enforced identities: a v1 page is as it was. */
const V2_STYLE = `
.kind-deny path{stroke:#c62828;stroke-width:2;stroke-dasharray:8 4}.arrow-deny{stroke:#c62828;stroke-width:2;fill:none}
.edge.kind-deny path{fill:none}.kind-deny text{fill:#c62828}
.node.egress-enforced rect{stroke-width:4}.node .egress-tag{fill:#2e7d32;font-style:italic}
`.trim();

const STATE_HELP: Readonly<Record<WorkloadState, string>> = {
  enforced: "enforced: its ruleset is written natively",
  visibility: "visibility: computed and reported, never written",
  unscoped: "unscoped: labelled, in no ruleset's scope (only a source)",
  unmanaged: "unmanaged: no segsync identity, never touched",
  stopped: "stopped: not running, in no rule until it starts",
};

const KIND_HELP: Readonly<Record<EdgeKind, string>> = {
  normal: "allowed and written natively",
  visibility: "visibility only: nothing written",
  nat: "via NAT: the rule admits a NAT address, so everything behind it gets in too",
  unreachable: "unreachable: the source cannot be seen from there, not allowed natively",
  deny: "deny: deny rules stand between them on these services, whatever any allow rule says",
};

const EGRESS_HELP = "egress enforced: it may open only what its allow rules name";

function egressLegend(graph: FlowGraph): string[] {
  if (!graph.nodes.some((node) => node.egress === "enforced")) return [];
  return [
    `<span data-legend-egress=""><svg width="26" height="16" class="graph"><g class="node state-enforced egress-enforced"><rect x="2" y="2" width="22" height="12" rx="3"/></g></svg> ${esc(EGRESS_HELP)}</span>`,
  ];
}

function legend(graph: FlowGraph): string {
  const states = WORKLOAD_STATES.map(
    (state) =>
      `<span data-legend-state="${state}"><svg width="26" height="16" class="graph"><g class="node state-${state}"><rect x="2" y="2" width="22" height="12" rx="3"/></g></svg> ${esc(STATE_HELP[state])}</span>`,
  );
  const kinds = drawnKinds(graph).map(
    (kind) =>
      `<span data-legend-kind="${kind}"><svg width="46" height="16" class="graph"><g class="edge kind-${kind}"><path d="M2,8 L38,8" marker-end="url(#arrow-${kind})"/></g></svg> ${esc(KIND_HELP[kind])}</span>`,
  );
  return [
    '<section class="legend" data-legend="">',
    ...states,
    ...egressLegend(graph),
    ...kinds,
    ...(graph.observed ? observedLegend() : []),
    '<span data-legend-badge=""><svg width="22" height="20" class="graph"><g class="badge"><circle cx="11" cy="10" r="9"/><text x="11" y="14" text-anchor="middle">1</text></g></svg> findings about the node (listed below)</span>',
    "</section>",
  ].join("\n");
}

function findingsList(graph: FlowGraph): string {
  if (graph.findings.length === 0) return "<p>No findings.</p>";
  const items = graph.findings.map(
    (f, i) =>
      `<li id="finding-${i}" class="${f.severity}" data-finding="${i}"><strong>${esc(f.code)}</strong> (${f.severity}): ${esc(f.message)}</li>`,
  );
  return ['<ol class="findings" start="0">', ...items, "</ol>"].join("\n");
}

/** With an overlay, a column says whether observed flows went along each edge. */
function flowsTable(graph: FlowGraph): string {
  const name = nodeName(graph);
  const notObserved = new Set(graph.observed?.notObserved ?? []);
  const observedCell = (id: string) =>
    graph.observed ? `<td>${notObserved.has(id) ? "not observed" : "observed"}</td>` : "";
  const rows = graph.edges.map(
    (e) =>
      `<tr data-flow="${esc(e.id)}"${notObserved.has(e.id) ? ' data-not-observed=""' : ""}><td>${esc(name(e.from))}</td><td>${esc(name(e.to))}</td><td>${esc(e.services.map(formatService).join(" "))}</td><td>${e.kind}</td><td>${esc(e.rules.join(", "))}</td>${observedCell(e.id)}</tr>`,
  );
  const observedHead = graph.observed ? "<th>Observed</th>" : "";
  return [
    "<table>",
    `<thead><tr><th>From</th><th>To</th><th>Services</th><th>Kind</th><th>Policy rules</th>${observedHead}</tr></thead>`,
    "<tbody>",
    ...rows,
    "</tbody>",
    "</table>",
  ].join("\n");
}

export interface PageOptions {
  /** What the graph shows, e.g. `examples/estate.yaml after examples/scenarios/retag.yaml`. */
  readonly source: string;
}

/** The page; the same graph gives the same bytes. */
export async function toHtml(graph: FlowGraph, options: PageOptions): Promise<string> {
  const svg = toSvg(await layoutGraph(graph), graph.observed);
  const identities = graph.nodes.filter((node) => node.kind === "identity" && node.state !== "absent").length;
  const heading = graph.observed ? "Allowed and observed flows" : "Allowed flows";
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<title>segsync: ${heading.toLowerCase()}</title>`,
    `<style>\n${style(graph)}\n</style>`,
    "</head>",
    "<body>",
    `<h1>${heading}</h1>`,
    `<p>${esc(options.source)}: ${identities} identities, ${countEdges(graph)}, ${graph.findings.length} findings.</p>`,
    ...(graph.observed ? [observedSummary(graph.observed)] : []),
    legend(graph),
    `<div class="picture">\n${svg}\n</div>`,
    ...(graph.observed ? observedSections(graph, graph.observed) : []),
    "<h2>Findings</h2>",
    findingsList(graph),
    "<h2>Flows</h2>",
    flowsTable(graph),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function style(graph: FlowGraph): string {
  const v2 = graph.edges.some((e) => e.kind === "deny") || graph.nodes.some((n) => n.egress === "enforced");
  return [STYLE, ...(v2 ? [V2_STYLE] : []), ...(graph.observed ? [OBSERVED_STYLE] : [])].join("\n");
}

function observedSections(graph: FlowGraph, overlay: ObservedOverlay): string[] {
  return [
    "<h2>Observed flows</h2>",
    observedTable(graph, overlay),
    "<h2>Flow check findings</h2>",
    checkFindings(overlay),
  ];
}
