/**
 * The laid-out graph as an inline SVG: clusters, then edges (one style per kind, their labels on a
 * background), then nodes (a colour per state, each workload's state marked, a badge linking to
 * the node's findings). Every element the browser test looks for carries a data attribute.
 */

import { formatService } from "../policy/services.js";
import { BOX_PADDING, CHAR_WIDTH, FONT_SIZE, LINE_HEIGHT } from "./box.js";
import { escapeHtml as esc } from "./escape.js";
import { CLUSTER_TITLE, type Layout, type PlacedEdge, type PlacedNode } from "./layout.js";
import type { ObservedOverlay } from "./model.js";
import { OBSERVED_MARKERS, observedEdgeSvg } from "./observed-svg.js";
import { n, pathData } from "./svg-path.js";
import { GROUP_NAMES } from "./text.js";

const MARKERS = [
  '<marker id="arrow-normal" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" class="arrow-normal"/></marker>',
  '<marker id="arrow-visibility" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" class="arrow-visibility"/></marker>',
  '<marker id="arrow-nat" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="12" markerHeight="12" orient="auto"><path d="M0,0 L10,5 L0,10 z" class="arrow-nat"/></marker>',
  '<marker id="arrow-unreachable" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M10,0 L10,10 M2,1 L8,9 M8,1 L2,9" class="arrow-unreachable"/></marker>',
];

/** A bar across the end: the flow stops there. */
const DENY_MARKER =
  '<marker id="arrow-deny" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M10,0 L10,10 M6,0 L6,10" class="arrow-deny"/></marker>';

/** With an overlay, the observed flows are drawn over the policy's edges, under the nodes. */
export function toSvg(layout: Layout, observed?: ObservedOverlay): string {
  const notObserved = new Set(observed?.notObserved ?? []);
  const deny = layout.edges.some((placed) => placed.edge.kind === "deny") ? [DENY_MARKER] : [];
  const markers = [...MARKERS, ...deny, ...(observed ? OBSERVED_MARKERS : [])];
  return [
    `<svg class="graph" width="${n(layout.width)}" height="${n(layout.height)}" viewBox="0 0 ${n(layout.width)} ${n(layout.height)}" role="img" aria-label="allowed flows">`,
    `<defs>${markers.join("")}</defs>`,
    ...layout.clusters.map(
      (c) =>
        `<g class="cluster" data-cluster="${c.group}"><rect x="${n(c.x)}" y="${n(c.y)}" width="${n(c.width)}" height="${n(c.height)}" rx="6"/><text x="${n(c.x + 10)}" y="${n(c.y + CLUSTER_TITLE - 6)}">${esc(GROUP_NAMES[c.group])}</text></g>`,
    ),
    ...layout.edges.map((placed) => edgeSvg(placed, notObserved.has(placed.edge.id))),
    ...layout.observed.map(observedEdgeSvg),
    ...layout.nodes.map(nodeSvg),
    "</svg>",
  ].join("\n");
}

/** `notObserved`: an overlay is drawn and no allowed observed flow went along this edge. */
function edgeSvg(placed: PlacedEdge, notObserved: boolean): string {
  const { edge, label } = placed;
  const title = `${edge.from} → ${edge.to}: ${edge.services.map(formatService).join(" ")}; rules ${edge.rules.join(", ")}; ${edge.kind}${notObserved ? "; not observed" : ""}`;
  const findings = edge.findings.length > 0 ? ` data-findings="${edge.findings.join(" ")}"` : "";
  const observed = notObserved ? ' data-not-observed=""' : "";
  return [
    `<g class="edge kind-${edge.kind}" data-edge="${esc(edge.id)}" data-kind="${edge.kind}"${findings}${observed}>`,
    `<title>${esc(title)}</title>`,
    `<path d="${pathData(placed.points)}" marker-end="url(#arrow-${edge.kind})"/>`,
    `<rect class="label" x="${n(label.x)}" y="${n(label.y)}" width="${n(label.width)}" height="${n(label.height)}"/>`,
    `<text x="${n(label.x + 2)}" y="${n(label.y + label.height - 4)}">${esc(label.text)}</text>`,
    "</g>",
  ].join("");
}

/** A tooltip lists at most this many of what flows saw of a node (a scanned block has hundreds). */
const MAX_SEEN_IN_TITLE = 32;

function nodeSvg(placed: PlacedNode): string {
  const { node, box, x, y, width, height } = placed;
  const left = x + BOX_PADDING;
  const baseline = (line: number) => y + BOX_PADDING + (line + 1) * LINE_HEIGHT - 4;
  const seen = (node.seen ?? []).slice(0, MAX_SEEN_IN_TITLE).map((what) => `seen in flows: ${what}`);
  const unsaid = (node.seen?.length ?? 0) - seen.length;
  if (unsaid > 0) seen.push(`and ${unsaid} more seen in flows`);
  const egressSaid = node.egress === "enforced" ? ["egress enforced"] : [];
  const title = [
    node.id,
    ...egressSaid,
    ...node.workloads.map((w) => `${w.id} (${w.state})`),
    ...node.cidrs,
    ...seen,
  ].join("\n");
  const egress = node.egress === "enforced" ? " egress-enforced" : "";
  const egressData = node.egress === "enforced" ? ' data-egress="enforced"' : "";
  const parts = [
    `<g class="node kind-${node.kind} state-${node.state}${egress}" data-node="${esc(node.id)}" data-state="${node.state}"${egressData}${node.findings.length > 0 ? ` data-findings="${node.findings.join(" ")}"` : ""}>`,
    `<title>${esc(title)}</title>`,
    `<rect x="${n(x)}" y="${n(y)}" width="${n(width)}" height="${n(height)}" rx="4"/>`,
    `<text class="title" x="${n(left)}" y="${n(baseline(0))}">${esc(box.title)}</text>`,
  ];
  for (const [i, line] of box.lines.entries()) {
    const textX = line.state ? left + 2 * CHAR_WIDTH : left;
    if (line.state)
      parts.push(
        `<circle class="mark state-${line.state}" cx="${n(left + CHAR_WIDTH / 2)}" cy="${n(baseline(i + 1) - FONT_SIZE / 3)}" r="4"/>`,
      );
    const tag = line.tag === "egress" ? ' class="egress-tag"' : "";
    parts.push(`<text${tag} x="${n(textX)}" y="${n(baseline(i + 1))}">${esc(line.text)}</text>`);
  }
  if (node.findings.length > 0) {
    const cx = x + width - BOX_PADDING - 8;
    const cy = y + BOX_PADDING + 6;
    parts.push(
      `<a class="badge" href="#finding-${node.findings[0]}"><circle cx="${n(cx)}" cy="${n(cy)}" r="9"/><text x="${n(cx)}" y="${n(cy + 4)}" text-anchor="middle">${node.findings.length}</text></a>`,
    );
  }
  parts.push("</g>");
  return parts.join("");
}
