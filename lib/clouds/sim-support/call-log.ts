import { SeededRandom } from "../../util/seeded-random.js";
import { SimulationInputError } from "./simulation-input-error.js";

/** The cloud's throttling error on a seeded fraction of calls. */
export interface ThrottleOptions {
  /** 0 to 1: the chance that any one call is throttled. */
  readonly throttleRate: number;
  readonly seed: number;
}

/** One port call as it was made: arguments copied at call time, and how it ended. */
export interface SimulatedCall<Method extends string> {
  readonly method: Method;
  readonly args: readonly unknown[];
  /** `ok`, or the cloud's error code it failed with. */
  readonly outcome: string;
}

/**
 * What every simulated cloud does around a port call: log it (tests count writes from the log),
 * throttle it on demand with the cloud's own error, and record how it ended.
 */
export class CallLog<Method extends string> {
  private readonly entries: { method: Method; args: readonly unknown[]; outcome: string }[] = [];
  private throttle: { readonly rate: number; readonly random: SeededRandom } | undefined;

  constructor(
    private readonly cloud: {
      readonly throttled: () => Error;
      /** The cloud's error code of a failure, or undefined for an unexpected error. */
      readonly codeOf: (error: unknown) => string | undefined;
    },
    throttle?: ThrottleOptions,
  ) {
    this.setThrottle(throttle);
  }

  get calls(): readonly SimulatedCall<Method>[] {
    return this.entries;
  }

  clear(): void {
    this.entries.length = 0;
  }

  /** Starts, changes or (undefined) stops throttling; a new seed restarts the sequence. */
  setThrottle(throttle: ThrottleOptions | undefined): void {
    if (throttle !== undefined && !(throttle.throttleRate >= 0 && throttle.throttleRate <= 1)) {
      throw new SimulationInputError(`throttleRate must be within 0 and 1, got ${throttle.throttleRate}`);
    }
    this.throttle =
      throttle === undefined
        ? undefined
        : { rate: throttle.throttleRate, random: new SeededRandom(throttle.seed) };
  }

  /** Logs the call, throttles it on demand, runs it. */
  async run<T>(method: Method, args: readonly unknown[], body: () => T): Promise<T> {
    const entry = { method, args: structuredClone(args), outcome: "ok" };
    this.entries.push(entry);
    try {
      if (this.throttle !== undefined && this.throttle.random.next() < this.throttle.rate)
        throw this.cloud.throttled();
      return body();
    } catch (error) {
      entry.outcome = this.cloud.codeOf(error) ?? "error";
      throw error;
    }
  }
}
