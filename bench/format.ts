/** Number formats for the printed table: enough digits to compare, not more. */
export function formatMs(value: number): string {
  if (value < 1) return value.toFixed(3);
  if (value < 100) return value.toFixed(2);
  return value.toFixed(0);
}

export function formatCount(value: number): string {
  return String(value);
}

export function formatMiB(value: number): string {
  return value.toFixed(0);
}

/** A ratio such as issued/minimal writes: two decimals; ∞ where the denominator was 0. */
export function formatRatio(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : "∞";
}
