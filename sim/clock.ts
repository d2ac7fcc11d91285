/**
 * Time and identity for simulated events, both deterministic so that a scenario run is
 * reproducible to the byte: a clock that only moves when told, and ids drawn from a counter
 * seeded by the scenario.
 */
import { createHash } from "node:crypto";

export const DEFAULT_START_TIME = "2025-01-01T00:00:00.000Z";

export class SimulatedClock {
  private millis: number;

  constructor(start: string = DEFAULT_START_TIME) {
    const parsed = Date.parse(start);
    if (Number.isNaN(parsed)) throw new RangeError(`"${start}" is not an ISO 8601 time`);
    this.millis = parsed;
  }

  now(): Date {
    return new Date(this.millis);
  }

  advance(milliseconds: number): void {
    if (!(milliseconds >= 0)) throw new RangeError(`the clock only moves forward, not by ${milliseconds} ms`);
    this.millis += milliseconds;
  }
}

/** Ids as each cloud writes them, the n-th of a seed always the same. */
export class EventIds {
  private count = 0;

  constructor(private readonly seed: string) {}

  private nextDigest(): string {
    this.count += 1;
    return createHash("sha256").update(`${this.seed}/${this.count}`).digest("hex");
  }

  /** A version-4-shaped UUID: EventBridge and Event Grid ids, Azure correlation ids. */
  uuid(): string {
    const hex = this.nextDigest();
    const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  /** A decimal id of `length` digits, not starting with 0: Pub/Sub message ids. */
  digits(length: number): string {
    const value = BigInt(`0x${this.nextDigest()}`) % 10n ** BigInt(length - 1);
    return `${1 + Number(BigInt(this.count) % 9n)}${value.toString().padStart(length - 1, "0")}`;
  }

  /** Lowercase hex: parts of GCP operation names and insert ids. */
  hex(length: number): string {
    return this.nextDigest().slice(0, length);
  }
}

/** ISO 8601 with a fixed number of fractional digits (AWS: 0, Pub/Sub: 3, audit logs: 6, Event Grid: 7). */
export function isoTime(date: Date, fractionDigits: 0 | 3 | 6 | 7): string {
  const [whole = "", millis = "000Z"] = date.toISOString().split(".");
  if (fractionDigits === 0) return `${whole}Z`;
  return `${whole}.${millis.slice(0, 3).padEnd(fractionDigits, "0")}Z`;
}
