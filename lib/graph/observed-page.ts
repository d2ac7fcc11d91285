/**
 * The page's parts for observed flows (docs/graph.md, "Observed flows"): their styles, their
 * legend, the check's totals, and the observed flows as a table, what enforcing would block first.
 * Only a page drawn with an overlay has them, so a page without one is what it always was.
 */
import { escapeHtml as esc } from "./escape.js";
import type { FlowGraph, ObservedKind, ObservedOverlay } from "./model.js";
import { OBSERVED_KINDS } from "./model.js";
import { observedCounts, observedVerdict } from "./observed-svg.js";
import { OBSERVED_HELP } from "./observed-text.js";
import { nodeName } from "./text.js";

export const OBSERVED_STYLE = `
.observed path{fill:none}
.observed .label{fill:#fff;opacity:.85}
.observed-would-block path{stroke:#d81b60;stroke-width:3.5}.arrow-observed-would-block{fill:#d81b60}
.observed-would-block text{fill:#ad1457;font-weight:bold}
.observed-unknown path{stroke:#f9a825;stroke-width:2;stroke-dasharray:8 4}.arrow-observed-unknown{fill:#f9a825}
.observed-blocked path{stroke:#757575;stroke-width:2;stroke-dasharray:2 4}.arrow-observed-blocked{fill:none;stroke:#757575;stroke-width:1.5}
.observed-allowed path{stroke:#2e7d32;stroke-width:2.5}.arrow-observed-allowed{fill:#2e7d32}
.state-absent rect{stroke:#bdbdbd;stroke-dasharray:2 3;fill:#fafafa}
.kind-outside rect{stroke-dasharray:6 3}
tr.observed-would-block td{background:#fce4ec}
`.trim();

const NODE_HELP = {
  outside: "outside: addresses no workload or ipList holds, per /24 (IPv4) or /64 (IPv6)",
  absent: "absent: an identity only the observed flows name, with no workload now",
} as const;

/** The observed kinds, and the nodes only observed flows add. */
export function observedLegend(): string[] {
  const kinds = OBSERVED_KINDS.map(
    (kind) =>
      `<span data-legend-observed="${kind}"><svg width="46" height="16" class="graph"><g class="observed observed-${kind}"><path d="M2,8 L36,8" marker-end="url(#observed-${kind})"/></g></svg> ${esc(OBSERVED_HELP[kind])}</span>`,
  );
  const nodes = (["outside", "absent"] as const).map(
    (what) =>
      `<span data-legend-node="${what}"><svg width="26" height="16" class="graph"><g class="node ${what === "outside" ? "kind-outside state-external" : "state-absent"}"><rect x="2" y="2" width="22" height="12" rx="3"/></g></svg> ${esc(NODE_HELP[what])}</span>`,
  );
  return [...kinds, ...nodes];
}

/** The check's totals, in one sentence. */
export function observedSummary(overlay: ObservedOverlay): string {
  const s = overlay.summary;
  return `<p data-observed-summary="">Observed flows (${esc(overlay.source)}): ${s.connections} connections in ${s.groups} groups; ${s.wouldBlock} would be blocked, ${s.allowed} allowed, ${s.denied} denied, ${s.notEnforced} not enforced, ${s.unknown} unknown; ${s.directionUnknown} connections of unknown direction, ${s.malformed} malformed records (the check's findings, below).</p>`;
}

const KIND_NAMES: Readonly<Record<ObservedKind, string>> = {
  "would-block": "would be blocked",
  unknown: "unknown",
  blocked: "rejected and denied",
  allowed: "allowed",
};

/** The observed flows, would-be-blocked first, each with its counts, times and verdict. */
export function observedTable(graph: FlowGraph, overlay: ObservedOverlay): string {
  const name = nodeName(graph);
  const rows = overlay.edges.map(
    (e) =>
      `<tr class="observed-${e.kind}" data-observed-row="${esc(`${e.from}→${e.to}`)}" data-observed-kind="${e.kind}"><td>${esc(name(e.from))}</td><td>${esc(name(e.to))}</td><td>${esc(e.services.join(" "))}</td><td>${KIND_NAMES[e.kind]}</td><td>${observedCounts(e)}</td><td>${esc(e.firstSeen)}</td><td>${esc(e.lastSeen)}</td><td>${esc(observedVerdict(e))}</td></tr>`,
  );
  return [
    "<table>",
    "<thead><tr><th>From</th><th>To</th><th>Services</th><th>Observed</th><th>Connections</th><th>First seen</th><th>Last seen</th><th>Verdict</th></tr></thead>",
    "<tbody>",
    ...rows,
    "</tbody>",
    "</table>",
  ].join("\n");
}

/** What the check could not place: ambiguous addresses, unknown directions, malformed records. */
export function checkFindings(overlay: ObservedOverlay): string {
  if (overlay.findings.length === 0) return "<p>No findings from the check.</p>";
  const items = overlay.findings.map(
    (f, i) =>
      `<li data-check-finding="${i}"><strong>${esc(f.code)}</strong> ${esc(f.subject)}: ${esc(f.message)}</li>`,
  );
  return ['<ol class="check-findings">', ...items, "</ol>"].join("\n");
}
