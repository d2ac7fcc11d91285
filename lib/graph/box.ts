/**
 * What a node shows, line by line, and the size that text needs. The page draws it in a monospace
 * font, so a line's width is its length times one advance: no font metrics at generation time.
 */
import type { GraphNode, WorkloadState } from "./model.js";

export const FONT_SIZE = 12;
/** Monospace advance, as a fraction of the font size (DejaVu Sans Mono, Liberation Mono: 0.6). */
export const CHAR_WIDTH = FONT_SIZE * 0.6;
export const LINE_HEIGHT = 16;
export const BOX_PADDING = 8;
/** Room on the right of the title for the findings badge. */
export const BADGE_ROOM = 28;
/** A node lists at most this many workloads or CIDRs, then says how many more. */
export const MAX_LINES = 8;

export interface BoxLine {
  readonly text: string;
  /** The workload's state, drawn as a coloured mark before the text. */
  readonly state?: WorkloadState;
  /** egress: the line that says the identity's egress is enforced (v2). */
  readonly tag?: "egress";
}

export interface Box {
  readonly title: string;
  readonly lines: readonly BoxLine[];
  readonly width: number;
  readonly height: number;
}

/** Room for the state mark before a workload line, in characters. */
const MARK_CHARS = 2;

export function nodeBox(node: GraphNode): Box {
  const listed: BoxLine[] =
    node.kind === "ipList"
      ? node.cidrs.map((cidr) => ({ text: cidr }))
      : node.workloads.map((w) => ({ text: `${w.name} ${w.state}`, state: w.state }));
  const all = listed.length > 0 ? listed : (node.seen ?? []).map(seenLine(node));
  const listedLines =
    all.length > MAX_LINES
      ? [...all.slice(0, MAX_LINES - 1), { text: `and ${all.length - MAX_LINES + 1} more` }]
      : all;
  const lines: BoxLine[] =
    node.egress === "enforced" ? [{ text: "egress enforced", tag: "egress" }, ...listedLines] : listedLines;
  const chars = Math.max(
    node.label.length + BADGE_ROOM / CHAR_WIDTH,
    ...lines.map((l) => l.text.length + (l.state ? MARK_CHARS : 0)),
  );
  return {
    title: node.label,
    lines,
    width: Math.ceil(chars * CHAR_WIDTH + 2 * BOX_PADDING),
    height: (lines.length + 1) * LINE_HEIGHT + 2 * BOX_PADDING,
  };
}

/**
 * What observed flows saw of a node that lists nothing else (an outside block, an absent identity,
 * an ipList the policy's graph does not have): outside addresses as they are, the rest marked.
 */
function seenLine(node: GraphNode): (seen: string) => BoxLine {
  if (node.kind === "outside") return (text) => ({ text });
  if (node.kind === "ipList") return (text) => ({ text: `${text} (seen)` });
  // A workload id: its last part, as workloads are listed.
  return (text) => ({ text: `${text.slice(text.lastIndexOf(":") + 1)} (seen)` });
}

/** The size of a one-line label. */
export function textSize(text: string): { width: number; height: number } {
  return { width: Math.ceil(text.length * CHAR_WIDTH) + 4, height: LINE_HEIGHT };
}
