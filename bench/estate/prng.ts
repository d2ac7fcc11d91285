import { SeededRandom } from "../../lib/util/seeded-random.js";

/**
 * A small seeded PRNG (mulberry32) and the draws the generator needs. Benchmarks must be
 * repeatable run to run and machine to machine, so nothing here touches Math.random.
 */
export class Rng extends SeededRandom {
  /** Uniform integer in [0, bound). */
  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[this.int(items.length)] as T;
  }

  /** `digits` lowercase hex digits. */
  hex(digits: number): string {
    let out = "";
    for (let i = 0; i < digits; i++) out += this.int(16).toString(16);
    return out;
  }

  /** `digits` decimal digits, the first one not zero. */
  decimal(digits: number): string {
    let out = `${1 + this.int(9)}`;
    for (let i = 1; i < digits; i++) out += `${this.int(10)}`;
    return out;
  }

  /** A random version-4 GUID, as Azure subscription ids look. */
  guid(): string {
    const variant = "89ab"[this.int(4)];
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${variant}${this.hex(3)}-${this.hex(12)}`;
  }

  /** Fisher-Yates on a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}

/** Draws indexes in proportion to fixed weights (cumulative table + binary search: O(log n) per draw). */
export class WeightedPicker<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(
    private readonly items: readonly T[],
    weights: readonly number[],
  ) {
    if (items.length === 0 || items.length !== weights.length) throw new Error("weights must match items");
    let sum = 0;
    for (const weight of weights) {
      sum += weight;
      this.cumulative.push(sum);
    }
    this.total = sum;
  }

  pick(rng: Rng): T {
    const target = rng.next() * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.cumulative[mid] as number) > target) high = mid;
      else low = mid + 1;
    }
    return this.items[low] as T;
  }
}

/** Zipf weights 1/(k+1)^s: a few big items and a long tail. */
export function zipfWeights(count: number, exponent: number): number[] {
  return Array.from({ length: count }, (_, k) => 1 / (k + 1) ** exponent);
}

/** Code-unit order: unlike localeCompare, the same on every machine, so generation stays deterministic. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
