/**
 * Faults injected into the simulated clouds: throttling and 5xx server errors (each simulator's
 * own, seeded per location so that locations do not fail in lockstep) and a crash hook that
 * fails one write made through segsync's ports, as if the process died just before sending it:
 * the write never reaches the cloud.
 */
import type { Cloud } from "../lib/inventory/model.js";

export class SimulatedCrashError extends Error {
  constructor(
    readonly cloud: Cloud,
    /** Which write (1-based, since the hook was set) crashed. */
    readonly write: number,
  ) {
    super(`simulated crash before write ${write} on ${cloud}`);
    this.name = new.target.name;
  }
}

export interface SimThrottle {
  /** 0 to 1: the chance that any one port call is throttled with the cloud's own error. */
  readonly rate: number;
  readonly seed: number;
}

export interface SimServerErrors {
  /** 0 to 1: the chance that any one port call fails with the cloud's own 500 or 503. */
  readonly rate: number;
  readonly seed: number;
  /**
   * 0 to 1: of the writes that fail so, the share that took effect before the response was lost;
   * the others, and every read, fail before taking effect. Default 0.5.
   */
  readonly lostResponseShare?: number;
}

/** The writes made through one cloud's ports, and the crash armed on them. */
export class WriteHook {
  private made = 0;
  private armed: { readonly at: number; readonly since: number } | undefined;

  constructor(readonly cloud: Cloud) {}

  get writes(): number {
    return this.made;
  }

  /** The write after the next `n` ones throws SimulatedCrashError, once. */
  failAfter(n: number): void {
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`failAfterWrites takes a count of writes, not ${n}`);
    this.armed = { at: this.made + n, since: this.made };
  }

  /** Called before each write: the crash, when it is this one's turn, or the count. */
  before(): SimulatedCrashError | undefined {
    if (this.armed !== undefined && this.made >= this.armed.at) {
      const crash = new SimulatedCrashError(this.cloud, this.made - this.armed.since + 1);
      this.armed = undefined;
      return crash;
    }
    this.made += 1;
    return undefined;
  }
}

/** The simulator as segsync's port sees it: its write methods pass through the hook first. */
export function hooked<T extends object>(sim: T, writeMethods: ReadonlySet<string>, hook: WriteHook): T {
  return new Proxy(sim, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      const method = value as (...args: unknown[]) => unknown;
      if (typeof property !== "string" || !writeMethods.has(property)) return method.bind(target);
      return (...args: unknown[]) => {
        const crash = hook.before();
        return crash === undefined ? method.apply(target, args) : Promise.reject(crash);
      };
    },
  });
}

/** A seed of its own for each location, stable however many locations there are. */
export function locationSeed(seed: number, location: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < location.length; index += 1) {
    hash ^= location.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (seed ^ hash) >>> 0;
}
