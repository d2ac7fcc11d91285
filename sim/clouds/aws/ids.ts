import { type AwsLocation, locationKey } from "../../../lib/clouds/aws/model.js";

export type SimIdKind = "i" | "eni" | "eni-attach" | "sg" | "pl";

/**
 * Deterministic EC2-style ids: `<kind>-` and 17 hex digits. The first 7 come from the location,
 * so that two simulated regions never hand out the same group id (EC2 ids are unique across
 * regions); the last 10 count up per kind, skipping ids that the starting state already uses.
 */
export class IdAllocator {
  private readonly counters = new Map<SimIdKind, number>();
  private readonly locationDigits: string;

  constructor(
    location: AwsLocation,
    private readonly isTaken: (id: string) => boolean,
  ) {
    this.locationDigits = fnv1a(locationKey(location)).toString(16).padStart(8, "0").slice(0, 7);
  }

  next(kind: SimIdKind): string {
    let counter = this.counters.get(kind) ?? 1;
    let id = this.format(kind, counter);
    while (this.isTaken(id)) {
      counter += 1;
      id = this.format(kind, counter);
    }
    this.counters.set(kind, counter + 1);
    return id;
  }

  private format(kind: SimIdKind, counter: number): string {
    return `${kind}-${this.locationDigits}${counter.toString(16).padStart(10, "0")}`;
  }
}

/** 32-bit FNV-1a: a stable, dependency-free hash of a short string. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
