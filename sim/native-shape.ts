/**
 * The shape of an object as a cloud prints it: the fields segsync reads are checked, the other
 * fields the real shape has are accepted and ignored, and any other key is refused (with "did you
 * mean" for a near miss). `null`, which the CLIs print for an unset field, means absent.
 */
import { z } from "zod";

export interface PrintedShapeOptions {
  /** Keys in another casing are read as the schema's (az prints `privateIpAddress`, ARM `privateIPAddress`). */
  readonly anyCase?: boolean;
  /** ARM REST nests an object's own fields under `properties`; the az CLI prints them flat. */
  readonly flattenProperties?: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function normalized(input: unknown, known: readonly string[], options: PrintedShapeOptions): unknown {
  if (!isRecord(input)) return input;
  let fields = input;
  if (options.flattenProperties === true && isRecord(input.properties)) {
    const { properties, ...own } = input;
    fields = { ...properties, ...own };
  }
  const byLowerCase = new Map(known.map((key) => [key.toLowerCase(), key]));
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === null) continue;
    const name =
      options.anyCase === true && !known.includes(key) ? (byLowerCase.get(key.toLowerCase()) ?? key) : key;
    if (!(name in result)) result[name] = value;
  }
  return result;
}

/** `shape` checked, `ignored` (the real shape's other fields) accepted and left out of the result. */
export function printedObject<S extends z.ZodRawShape>(
  shape: S,
  ignored: readonly string[],
  options: PrintedShapeOptions = {},
) {
  const extra = ignored.filter((key) => !(key in shape));
  // Typed as no keys: a string index here would clash with the shape's own keys in the emitted
  // declarations, which a consumer's tsc without skipLibCheck reads (TS2411; docs/package.md).
  const rest = Object.fromEntries(extra.map((key) => [key, z.unknown().optional()])) as Record<never, never>;
  const known = [...Object.keys(shape), ...extra];
  const checked = z.strictObject({ ...shape, ...rest }).transform((value) => {
    const kept: Record<string, unknown> = { ...value };
    for (const key of extra) delete kept[key];
    return kept as z.output<z.ZodObject<S, z.core.$strict>>;
  });
  return z.preprocess((input) => normalized(input, known, options), checked);
}
