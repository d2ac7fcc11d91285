/**
 * Code-unit order, independent of locale: every sorted list segsync writes (intents, plans,
 * findings) must come out byte-identical on every machine. Equal to code-point order for the
 * ASCII of ids, labels and names.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
