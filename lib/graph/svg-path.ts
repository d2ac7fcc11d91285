/** Numbers and paths as the page's SVG writes them. */
import type { Point } from "./layout.js";

/** Fixed precision, so the same layout always writes the same bytes. */
export const n = (value: number) => String(Math.round(value * 10) / 10);

/** A polyline through the points: start, bends, end. */
export function pathData(points: readonly Point[]): string {
  return points.map((p, i) => `${i === 0 ? "M" : "L"}${n(p.x)},${n(p.y)}`).join(" ");
}
