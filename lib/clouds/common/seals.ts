/**
 * Seals: what makes an object or a record segsync's own. segsync tags what it creates and what it
 * records for restore, but anyone who may write tags could write the same ones; so each such tag
 * comes with a seal, an HMAC-SHA256 (truncated to 160 bits, hex) under a record key that only
 * segsync holds, over a subject that names exactly one object: its cloud, kind, place and id or
 * unique name, and for records the recorded value. A tag copied to another object, or a record
 * edited, no longer verifies (docs/trust-model.md). HMAC is deterministic, so sealing is pure.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { RecordKeyError } from "./errors.js";

/** Hex characters of a seal: 160 bits, short enough for a GCP network tag. */
export const SEAL_LENGTH = 40;
/** A record key's minimum length in characters (a generated secret of 32+ characters). */
export const MIN_RECORD_KEY_LENGTH = 32;

export interface Sealer {
  seal(subject: string): string;
  /** Whether `seal` is this key's seal of `subject`; constant-time. */
  verify(subject: string, seal: string | undefined): boolean;
}

export class RecordKey implements Sealer {
  private constructor(private readonly key: Buffer) {}

  /** `where` names the key's source in the error (never its value). */
  static fromText(text: string, where: string): RecordKey {
    if (text.length < MIN_RECORD_KEY_LENGTH) {
      throw new RecordKeyError(
        `${where}: a record key has at least ${MIN_RECORD_KEY_LENGTH} characters (this one has ${text.length})`,
      );
    }
    return new RecordKey(Buffer.from(text, "utf8"));
  }

  seal(subject: string): string {
    return createHmac("sha256", this.key).update(subject, "utf8").digest("hex").slice(0, SEAL_LENGTH);
  }

  verify(subject: string, seal: string | undefined): boolean {
    if (typeof seal !== "string" || seal.length !== SEAL_LENGTH) return false;
    return timingSafeEqual(Buffer.from(seal, "utf8"), Buffer.from(this.seal(subject), "utf8"));
  }
}

/**
 * The simulated clouds' key. Not a secret: the simulator stands in for clouds that only segsync
 * writes to. Objects pasted into an estate carry seals of another key, so they are not segsync's.
 */
export const SIMULATOR_RECORD_KEY = RecordKey.fromText(
  "segsync simulator record key: not a secret, for the simulated clouds only",
  "the simulator",
);

/**
 * A key loaded on first need (a Secrets Manager read): `load` before the first reconcile; using it
 * earlier is a programming error.
 */
export class DeferredRecordKey implements Sealer {
  private key: RecordKey | undefined;
  private pending: Promise<RecordKey> | undefined;

  constructor(private readonly fetch: () => Promise<RecordKey>) {}

  async load(): Promise<void> {
    this.pending ??= this.fetch().catch((error: unknown) => {
      this.pending = undefined;
      throw error;
    });
    this.key = await this.pending;
  }

  seal(subject: string): string {
    return this.loaded().seal(subject);
  }

  verify(subject: string, seal: string | undefined): boolean {
    return this.loaded().verify(subject, seal);
  }

  private loaded(): RecordKey {
    if (this.key === undefined) throw new RecordKeyError("the record key was used before it was loaded");
    return this.key;
  }
}
