/**
 * The observed flows in the page's SVG (docs/graph.md, "Observed flows"): one marker and style per
 * kind, each edge's tooltip with its services, counts and first and last seen. Every edge carries
 * `data-observed="<from>→<to>"` and `data-observed-kind` for the browser test.
 */
import { escapeHtml as esc } from "./escape.js";
import type { PlacedObservedEdge } from "./layout.js";
import type { ObservedEdge, ObservedKind } from "./model.js";
import { OBSERVED_KINDS } from "./model.js";
import { n, pathData } from "./svg-path.js";

const MARKER_SHAPES: Readonly<Record<ObservedKind, string>> = {
  "would-block": "M0,5 L5,0 L10,5 L5,10 z",
  unknown: "M5,1 A4,4 0 1 1 5,9 A4,4 0 1 1 5,1 z",
  blocked: "M1,1 L9,1 L9,9 L1,9 z",
  allowed: "M0,0 L10,5 L0,10 z",
};

export const OBSERVED_MARKERS = OBSERVED_KINDS.map(
  (kind) =>
    `<marker id="observed-${kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="${MARKER_SHAPES[kind]}" class="arrow-observed-${kind}"/></marker>`,
);

const KIND_WORDS: Readonly<Record<ObservedKind, string>> = {
  "would-block": "would be blocked",
  unknown: "verdict unknown",
  blocked: "rejected, and denied by the policy",
  allowed: "allowed",
};

/** Who decides: `allowed by shop#0`, `denied by default deny`, `unknown: <reason>`. */
export function observedVerdict(edge: ObservedEdge): string {
  const once = edge.onceEnforced ? " (once enforced)" : "";
  if (edge.kind === "allowed") return `allowed by ${edge.rules.join(", ")}${once}`;
  if (edge.kind === "unknown") return `unknown: ${edge.reasons.join("; ")}`;
  return `denied by ${edge.rules.join(", ")}${once}`;
}

/** `5 connections (5 accepted, 0 rejected)` */
export function observedCounts(edge: ObservedEdge): string {
  return `${edge.connections} connections (${edge.accepted} accepted, ${edge.rejected} rejected)`;
}

function title(edge: ObservedEdge): string {
  return [
    `observed ${edge.from} → ${edge.to}: ${KIND_WORDS[edge.kind]}`,
    edge.services.join(" "),
    `${observedCounts(edge)} in ${edge.groups} groups`,
    `first seen ${edge.firstSeen}, last seen ${edge.lastSeen}`,
    observedVerdict(edge),
  ].join("\n");
}

export function observedEdgeSvg(placed: PlacedObservedEdge): string {
  const { edge, label } = placed;
  return [
    `<g class="observed observed-${edge.kind}" data-observed="${esc(`${edge.from}→${edge.to}`)}" data-observed-kind="${edge.kind}">`,
    `<title>${esc(title(edge))}</title>`,
    `<path d="${pathData(placed.points)}" marker-end="url(#observed-${edge.kind})"/>`,
    `<rect class="label" x="${n(label.x)}" y="${n(label.y)}" width="${n(label.width)}" height="${n(label.height)}"/>`,
    `<text x="${n(label.x + 2)}" y="${n(label.y + label.height - 4)}">${esc(label.text)}</text>`,
    "</g>",
  ].join("");
}
