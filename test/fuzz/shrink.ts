/**
 * Shrinking a failing campaign case to a minimal one that fails the same way (a problem of the
 * same kind): greedily without each fault, each step, each estate workload, the delivery model,
 * each ruleset and rule, until nothing more can go. A shrunk step may name a workload that is no
 * longer there; such a case is invalid, not a reproduction, and is not kept.
 */
import type { Fault, FuzzCase } from "./generate.js";
import { type ProblemKind, type RunOptions, runCase } from "./run-case.js";

export interface Shrunk {
  readonly fuzz: FuzzCase;
  readonly kind: ProblemKind;
  readonly name: string;
  /** Cases run while shrinking. */
  readonly attempts: number;
}

/** Step indexes after a removed step move down by one; faults on the removed step go. */
function withoutStep(fuzz: FuzzCase, index: number): FuzzCase {
  const shift = (i: number) => (i > index ? i - 1 : i);
  const faults = fuzz.faults.flatMap((fault): Fault[] => {
    if ("at" in fault) return fault.at === index ? [] : [{ ...fault, at: shift(fault.at) }];
    const from = shift(fault.from);
    const to = fault.to === index && fault.from === index ? -1 : shift(fault.to);
    return to < from ? [] : [{ ...fault, from, to }];
  });
  return { ...fuzz, steps: fuzz.steps.filter((_, i) => i !== index), faults };
}

type Ruleset = { rules: unknown[] };

function rulesets(fuzz: FuzzCase): Ruleset[] {
  return (fuzz.policy.rulesets ?? []) as Ruleset[];
}

/** Every case one removal smaller than `fuzz`. */
function* smaller(fuzz: FuzzCase): Generator<FuzzCase> {
  for (let i = fuzz.faults.length - 1; i >= 0; i--)
    yield { ...fuzz, faults: fuzz.faults.filter((_, j) => j !== i) };
  for (let i = fuzz.steps.length - 1; i >= 0; i--) yield withoutStep(fuzz, i);
  if (fuzz.delivery) {
    const { delivery: _dropped, ...rest } = fuzz;
    yield rest;
  }
  const { workloads } = fuzz.estate;
  for (let i = workloads.length - 1; i >= 0; i--)
    yield { ...fuzz, estate: { ...fuzz.estate, workloads: workloads.filter((_, j) => j !== i) } };
  const sets = rulesets(fuzz);
  for (let i = sets.length - 1; i >= 0; i--)
    yield { ...fuzz, policy: { ...fuzz.policy, rulesets: sets.filter((_, j) => j !== i) } };
  for (const [i, set] of sets.entries()) {
    for (let r = set.rules.length - 1; r >= 1; r--) {
      const rules = set.rules.filter((_, j) => j !== r);
      yield {
        ...fuzz,
        policy: { ...fuzz.policy, rulesets: sets.map((s, j) => (j === i ? { ...s, rules } : s)) },
      };
    }
  }
}

/** What a case looks like in a few words: its problem, its steps and its faults. */
export function scenarioName(fuzz: FuzzCase, kind: ProblemKind): string {
  const steps = fuzz.steps.map((step) => Object.keys(step)[0]).join(", ");
  const faults = fuzz.faults
    .map((fault) => ("cloud" in fault ? `${fault.kind} (${fault.cloud})` : fault.kind))
    .join(", ");
  const delivery = fuzz.delivery ? ", at-least-once delivery" : "";
  return `${kind} after ${steps || "no step"}${faults ? `; faults: ${faults}` : ""}${delivery} (seed ${fuzz.seed})`;
}

/** Whether a case still fails the way the original did; by default, a run with a problem of that kind. */
export type StillFails = (fuzz: FuzzCase, kind: ProblemKind) => Promise<boolean>;

function failsUnder(run: RunOptions): StillFails {
  return async (fuzz, kind) => {
    try {
      return (await runCase(fuzz, run)).problems.some((problem) => problem.kind === kind);
    } catch {
      return false;
    }
  };
}

export async function shrink(
  fuzz: FuzzCase,
  kind: ProblemKind,
  options: { readonly attempts?: number; readonly stillFails?: StillFails; readonly run?: RunOptions } = {},
): Promise<Shrunk> {
  const budget = options.attempts ?? 300;
  const stillFails = options.stillFails ?? failsUnder(options.run ?? {});
  let current = fuzz;
  let attempts = 0;
  let progress = true;
  while (progress && attempts < budget) {
    progress = false;
    for (const candidate of smaller(current)) {
      if (attempts >= budget) break;
      attempts++;
      if (await stillFails(candidate, kind)) {
        current = candidate;
        progress = true;
        break;
      }
    }
  }
  return { fuzz: current, kind, name: scenarioName(current, kind), attempts };
}
