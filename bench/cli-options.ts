import { parseArgs } from "node:util";

export interface RunOptions {
  readonly out: string;
  readonly sizes: readonly number[];
  readonly rules: readonly number[];
  /** Section names to run; undefined runs them all. */
  readonly only: readonly string[] | undefined;
  readonly quick: boolean;
  readonly seed: number;
  readonly changes: number;
}

export const USAGE = `usage: npm run bench -- [options]
  --out <path>        JSON results (default bench/results/latest.json)
  --sizes <n,n,...>   workload counts (default 1000,10000,100000)
  --rules <n,n,...>   rule counts (default 100,1000)
  --only <name,...>   run only these sections (compile, incremental, aws, azure, gcp, simulate, bundles, burst,
                      cli-start, cold-start)
  --quick             small sizes and fewer changes, for a CI smoke run
  --seed <n>          estate seed (default 1)
  --changes <n>       timed single-workload changes per cell (default 500)
  --help`;

const FULL = { sizes: [1_000, 10_000, 100_000], rules: [100, 1_000], changes: 500 };
const QUICK = { sizes: [1_000, 2_000], rules: [100], changes: 200 };

export type ParsedArgs = { ok: true; options: RunOptions } | { ok: false; message: string; help: boolean };

export function parseRunArgs(argv: readonly string[]): ParsedArgs {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error), help: false };
  }
  if (values.help) return { ok: false, message: USAGE, help: true };
  const defaults = values.quick ? QUICK : FULL;
  try {
    return {
      ok: true,
      options: {
        out: values.out ?? "bench/results/latest.json",
        sizes: values.sizes === undefined ? defaults.sizes : positiveList("--sizes", values.sizes),
        rules: values.rules === undefined ? defaults.rules : positiveList("--rules", values.rules),
        only: values.only?.split(",").map((name) => name.trim()),
        quick: values.quick ?? false,
        seed: values.seed === undefined ? 1 : wholeNumber("--seed", values.seed),
        changes:
          values.changes === undefined ? defaults.changes : wholeNumber("--changes", values.changes, 1),
      },
    };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error), help: false };
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      out: { type: "string" },
      sizes: { type: "string" },
      rules: { type: "string" },
      only: { type: "string" },
      quick: { type: "boolean" },
      seed: { type: "string" },
      changes: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

function positiveList(flag: string, text: string): number[] {
  return text.split(",").map((part) => wholeNumber(flag, part.trim(), 1));
}

function wholeNumber(flag: string, text: string, minimum = 0): number {
  const value = Number(text.replaceAll("_", ""));
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new Error(`${flag}: "${text}" is not a whole number ≥ ${minimum}`);
  }
  return value;
}
