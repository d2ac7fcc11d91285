import { SeededRandom } from "../../../lib/util/seeded-random.js";
import { SimulationInputError } from "./simulation-input-error.js";

/** The cloud's throttling error on a seeded fraction of calls. */
export interface ThrottleOptions {
  /** 0 to 1: the chance that any one call is throttled. */
  readonly throttleRate: number;
  readonly seed: number;
}

/** The cloud's own 5xx (500 or 503, seeded) on a seeded fraction of calls. */
export interface ServerErrorOptions {
  /** 0 to 1: the chance that any one call (not throttled) fails with a server error. */
  readonly rate: number;
  readonly seed: number;
  /**
   * 0 to 1: of the writes that fail so, the share that took effect before the response was lost
   * (the caller sees the error all the same); the others fail before they take effect. Reads
   * always fail before. Default 0.5.
   */
  readonly lostResponseShare?: number;
}

/** The 5xx statuses every cloud answers with: an internal error, and the service unavailable. */
export type ServerErrorStatus = 500 | 503;

/**
 * A failure the simulator made up rather than the cloud's semantics: `throttled` and
 * `serverError` did nothing; `lostResponse` is a write that took effect, its response lost.
 */
export type InjectedFault = "throttled" | "serverError" | "lostResponse";

/** One port call as it was made: arguments copied at call time, and how it ended. */
export interface SimulatedCall<Method extends string> {
  readonly method: Method;
  readonly args: readonly unknown[];
  /** `ok`, or the cloud's error code it failed with. */
  readonly outcome: string;
  /** Set when the failure was injected; absent for calls that ran as the cloud would run them. */
  readonly injected?: InjectedFault;
  /** How many items a read returned (a list's length), so that pages can be counted. */
  readonly items?: number;
  /** Milliseconds the simulator spent in the call: what an engine's own compute time leaves out. */
  readonly ms: number;
}

const DEFAULT_LOST_RESPONSE_SHARE = 0.5;

/**
 * What every simulated cloud does around a port call: log it (tests count writes from the log),
 * throttle it or fail it with a server error on demand, with the cloud's own errors, and record
 * how it ended.
 */
export class CallLog<Method extends string> {
  private readonly entries: {
    method: Method;
    args: readonly unknown[];
    outcome: string;
    injected?: InjectedFault;
    items?: number;
    ms: number;
  }[] = [];
  private throttle: { readonly rate: number; readonly random: SeededRandom } | undefined;
  private serverErrors:
    | { readonly rate: number; readonly lostResponseShare: number; readonly random: SeededRandom }
    | undefined;

  constructor(
    private readonly cloud: {
      readonly throttled: () => Error;
      readonly serverError: (status: ServerErrorStatus) => Error;
      /** The calls that change the cloud: only they can take effect and lose their response. */
      readonly writes: ReadonlySet<Method>;
      /** The cloud's error code of a failure, or undefined for an unexpected error. */
      readonly codeOf: (error: unknown) => string | undefined;
    },
    throttle?: ThrottleOptions,
    serverErrors?: ServerErrorOptions,
  ) {
    this.setThrottle(throttle);
    this.setServerErrors(serverErrors);
  }

  get calls(): readonly SimulatedCall<Method>[] {
    return this.entries;
  }

  clear(): void {
    this.entries.length = 0;
  }

  /** Starts, changes or (undefined) stops throttling; a new seed restarts the sequence. */
  setThrottle(throttle: ThrottleOptions | undefined): void {
    if (throttle !== undefined) checkShare("throttleRate", throttle.throttleRate);
    this.throttle =
      throttle === undefined
        ? undefined
        : { rate: throttle.throttleRate, random: new SeededRandom(throttle.seed) };
  }

  /** Starts, changes or (undefined) stops server errors; a new seed restarts the sequence. */
  setServerErrors(options: ServerErrorOptions | undefined): void {
    if (options === undefined) {
      this.serverErrors = undefined;
      return;
    }
    checkShare("rate", options.rate);
    const lostResponseShare = options.lostResponseShare ?? DEFAULT_LOST_RESPONSE_SHARE;
    checkShare("lostResponseShare", lostResponseShare);
    // Its own stream: with the same seed as throttling, the two would otherwise draw the same numbers.
    const random = new SeededRandom(Math.imul(options.seed ^ 0x5e4e5e4e, 0x9e3779b1));
    this.serverErrors = { rate: options.rate, lostResponseShare, random };
  }

  /** Logs the call, throttles it or fails it with a server error on demand, runs it. */
  async run<T>(method: Method, args: readonly unknown[], body: () => T): Promise<T> {
    const entry: (typeof this.entries)[number] = {
      method,
      args: structuredClone(args),
      outcome: "ok",
      ms: 0,
    };
    this.entries.push(entry);
    const started = performance.now();
    try {
      if (this.throttle !== undefined && this.throttle.random.next() < this.throttle.rate) {
        entry.injected = "throttled";
        throw this.cloud.throttled();
      }
      const fault = this.drawServerError(method);
      if (fault?.lost === false) {
        entry.injected = "serverError";
        throw this.cloud.serverError(fault.status);
      }
      const result = body();
      if (Array.isArray(result)) entry.items = result.length;
      if (fault?.lost === true) {
        entry.injected = "lostResponse";
        throw this.cloud.serverError(fault.status);
      }
      return result;
    } catch (error) {
      entry.outcome = this.cloud.codeOf(error) ?? "error";
      throw error;
    } finally {
      entry.ms = performance.now() - started;
    }
  }

  /** Whether this call fails with a server error, with which status, and whether after taking effect. */
  private drawServerError(method: Method): { status: ServerErrorStatus; lost: boolean } | undefined {
    const faults = this.serverErrors;
    if (faults === undefined || !(faults.random.next() < faults.rate)) return undefined;
    const status = faults.random.next() < 0.5 ? 500 : 503;
    const lost = this.cloud.writes.has(method) && faults.random.next() < faults.lostResponseShare;
    return { status, lost };
  }
}

function checkShare(name: string, value: number): void {
  if (!(value >= 0 && value <= 1))
    throw new SimulationInputError(`${name} must be within 0 and 1, got ${value}`);
}
