/**
 * The observed flows in Mermaid and DOT (docs/graph.md, "Observed flows"): one arrow and colour
 * per kind, none of them a policy edge's, and a legend comment saying which is which.
 */
import { dotString } from "./escape.js";
import type { ObservedEdge, ObservedKind, ObservedOverlay } from "./model.js";
import { OBSERVED_KINDS } from "./model.js";

const KIND_SUFFIX: Readonly<Record<ObservedKind, string>> = {
  "would-block": ", would be blocked",
  unknown: ", verdict unknown",
  blocked: ", rejected and denied",
  allowed: "",
};

/** What the edge carries and how often it was seen: `tcp/22: 5 seen, would be blocked`. */
export function observedLabel(edge: ObservedEdge): string {
  return `${edge.services.join(" ")}: ${edge.connections} seen${KIND_SUFFIX[edge.kind]}`;
}

/** What each kind means, for legends. */
export const OBSERVED_HELP: Readonly<Record<ObservedKind, string>> = {
  "would-block": "observed accepted, the policy would block it (what enforcing breaks)",
  unknown: "observed, no verdict: unknown, or no ruleset enforces it",
  blocked: "observed rejected, and the policy denies it too",
  allowed: "observed, and the policy allows it",
};

const COLOURS: Readonly<Record<ObservedKind, string>> = {
  "would-block": "#d81b60",
  unknown: "#f9a825",
  blocked: "#757575",
  allowed: "#2e7d32",
};

const MERMAID_ARROWS: Readonly<Record<ObservedKind, string>> = {
  "would-block": "==x",
  unknown: "-.-o",
  blocked: "-.-x",
  allowed: "--o",
};

const MERMAID_STYLES: Readonly<Record<ObservedKind, string>> = {
  "would-block": `stroke:${COLOURS["would-block"]},stroke-width:4px`,
  unknown: `stroke:${COLOURS.unknown},stroke-width:2px,stroke-dasharray:8 4`,
  blocked: `stroke:${COLOURS.blocked},stroke-width:2px,stroke-dasharray:2 4`,
  allowed: `stroke:${COLOURS.allowed},stroke-width:2px`,
};

const DOT_STYLES: Readonly<Record<ObservedKind, string>> = {
  "would-block": `color="${COLOURS["would-block"]}", fontcolor="${COLOURS["would-block"]}", penwidth=3, arrowhead=diamond`,
  unknown: `color="${COLOURS.unknown}", style=dashed, penwidth=2, arrowhead=odot`,
  blocked: `color="${COLOURS.blocked}", style=dotted, penwidth=2, arrowhead=obox`,
  allowed: `color="${COLOURS.allowed}", penwidth=2, arrowhead=dot`,
};

function legend(comment: string, style: Readonly<Record<ObservedKind, string>>): string[] {
  return [
    `${comment} observed flows (graph --flows), drawn over the policy's edges:`,
    ...OBSERVED_KINDS.map((kind) => `${comment}   ${kind} (${style[kind]}): ${OBSERVED_HELP[kind]}`),
  ];
}

/** The legend comment, right after the header. */
export function mermaidLegend(): string[] {
  const arrows = Object.fromEntries(
    OBSERVED_KINDS.map((kind) => [kind, `${MERMAID_ARROWS[kind]} ${COLOURS[kind]}`]),
  ) as Record<ObservedKind, string>;
  return legend("%%", arrows);
}

/**
 * The observed edges, after the policy's: Mermaid styles a link by its index among all links, and
 * the policy's come first.
 */
export function mermaidObserved(
  overlay: ObservedOverlay,
  ids: ReadonlyMap<string, string>,
  first: number,
): string[] {
  return overlay.edges.flatMap((e, i) => [
    `  ${ids.get(e.from)} ${MERMAID_ARROWS[e.kind]}|"${observedLabel(e)}"| ${ids.get(e.to)}`,
    `  linkStyle ${first + i} ${MERMAID_STYLES[e.kind]}`,
  ]);
}

export function dotLegend(): string[] {
  return legend("  //", DOT_STYLES);
}

export function dotObserved(overlay: ObservedOverlay, ids: ReadonlyMap<string, string>): string[] {
  return overlay.edges.map(
    (e) =>
      `  ${ids.get(e.from)} -> ${ids.get(e.to)} [label=${dotString(observedLabel(e))}, ${DOT_STYLES[e.kind]}];`,
  );
}
