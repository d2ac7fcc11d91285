/**
 * Replay detection within one warm container. A bearer token or a shared secret does not sign the
 * body, so whoever captures a request can send it again while the credential is valid; this cache
 * refuses the same credential with the same event or message ids a second time. It only sees its
 * own container: across containers (and after a cold start) the net is the SQS FIFO queue, which
 * drops a message whose deduplication id (from the same native id) it saw in the last 5 minutes;
 * past that, a replayed event only makes the reconciler re-read a workload, since events are hints.
 */
import { createHash } from "node:crypto";
import { ReplayedRequestError } from "./errors.js";

/** What a request was authenticated with, as the cache keys it: never the token or secret itself. */
export interface Credential {
  /** SHA-256 (hex) of the token or secret. */
  readonly fingerprint: string;
  /** When the credential stops being accepted (a token's exp); undefined for a secret. */
  readonly expiresAt?: Date;
}

export function credentialOf(token: string, expiresAt?: Date): Credential {
  const fingerprint = createHash("sha256").update(token).digest("hex");
  return expiresAt === undefined ? { fingerprint } : { fingerprint, expiresAt };
}

/** A secret never expires; remembering its requests for an hour matches a token's lifetime. */
const SECRET_WINDOW_MS = 60 * 60_000;
/** Enough for a busy hour of one container; beyond it the oldest are forgotten first. */
const DEFAULT_MAX_ENTRIES = 10_000;

export class ReplayCache {
  /** key → expiry (ms since the epoch), in insertion order. */
  readonly #entries = new Map<string, number>();
  readonly #maxEntries: number;

  constructor(options: { maxEntries?: number } = {}) {
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Throws ReplayedRequestError when every id was already accepted with this credential and is
   * still remembered. Only all of them: a genuinely new batch that repeats some ids still gets in
   * (the repeated ones are harmless), while a replayed request repeats them all.
   */
  check(credential: Credential, ids: readonly string[], now: Date): void {
    if (ids.length === 0) return;
    const seen = ids.every((id) => {
      const expiry = this.#entries.get(key(credential, id));
      return expiry !== undefined && expiry > now.getTime();
    });
    if (seen) throw new ReplayedRequestError(ids);
  }

  /** Records accepted ids until the credential expires; called only once the request succeeded. */
  remember(credential: Credential, ids: readonly string[], now: Date): void {
    const until = credential.expiresAt?.getTime() ?? now.getTime() + SECRET_WINDOW_MS;
    if (until <= now.getTime()) return;
    for (const id of ids) {
      const entry = key(credential, id);
      // Re-inserting moves the key to the end, so eviction stays oldest-first.
      this.#entries.delete(entry);
      this.#makeRoom(now);
      this.#entries.set(entry, until);
    }
  }

  #makeRoom(now: Date): void {
    if (this.#entries.size < this.#maxEntries) return;
    for (const [entry, expiry] of this.#entries) {
      if (expiry <= now.getTime()) this.#entries.delete(entry);
    }
    for (const entry of this.#entries.keys()) {
      if (this.#entries.size < this.#maxEntries) break;
      this.#entries.delete(entry);
    }
  }
}

function key(credential: Credential, id: string): string {
  return `${credential.fingerprint}\u0000${id}`;
}
