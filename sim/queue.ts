/**
 * The SQS FIFO queue between the ingest functions and the reconciler function, as the simulation
 * runs it: a message is deduplicated by its deduplication id (lib/ingest/queue-message.ts) for
 * FIFO_DEDUP_WINDOW_MS; the reconciler receives every waiting message as one batch, in order (one
 * message group); the messages it reports failed (lib/reconcile/batch.ts fifoFailures) wait again
 * at the head, in their order, and one received MAX_RECEIVE_COUNT times goes to the dead letters.
 */
import { deduplicationId, MAX_RECEIVE_COUNT, type QueueMessage } from "../lib/ingest/queue-message.js";
import type { QueuedMessage } from "../lib/reconcile/messages.js";
import { FIFO_DEDUP_WINDOW_MS } from "./delivery.js";

/** A message in the queue: `id` is its SQS messageId, the same on every receive. */
export interface WaitingMessage extends QueuedMessage {
  /** How many times the reconciler has received it. */
  readonly receives: number;
}

export class SimulatedQueue {
  #sent = 0;
  #waiting: WaitingMessage[] = [];
  /** Deduplication id → when the queue accepted it. */
  readonly #seen = new Map<string, number>();
  readonly #deadLetters: QueueMessage[] = [];

  /**
   * Accepts the message unless its deduplication id was accepted within the window; whether it
   * did. `unique`: the sender gives it a deduplication id of its own (accepted, and not remembered).
   */
  send(message: QueueMessage, arrivedAt: number, unique = false): boolean {
    if (!unique) {
      const key = deduplicationId(message);
      const first = this.#seen.get(key);
      if (first !== undefined && arrivedAt - first < FIFO_DEDUP_WINDOW_MS) return false;
      this.#seen.set(key, arrivedAt);
    }
    this.#sent += 1;
    this.#waiting.push({ id: `message-${this.#sent}`, message, receives: 0 });
    return true;
  }

  /** Every waiting message (or the first `limit`), in order, as one batch: each received once more. */
  receive(limit = Number.POSITIVE_INFINITY): WaitingMessage[] {
    const taken = this.#waiting.slice(0, limit);
    const batch = taken.map((waiting) => ({ ...waiting, receives: waiting.receives + 1 }));
    this.#waiting = this.#waiting.slice(taken.length);
    return batch;
  }

  /**
   * The batch's messages reported failed (`failed`, by id) wait again, ahead of anything sent
   * since; those received MAX_RECEIVE_COUNT times go to the dead letters instead. Returns those
   * that wait again.
   */
  returnFailed(batch: readonly WaitingMessage[], failed: readonly string[]): WaitingMessage[] {
    const ids = new Set(failed);
    const back = batch.filter((waiting) => ids.has(waiting.id));
    const retried = back.filter((waiting) => waiting.receives < MAX_RECEIVE_COUNT);
    for (const waiting of back)
      if (waiting.receives >= MAX_RECEIVE_COUNT) this.#deadLetters.push(waiting.message);
    this.#waiting = [...retried, ...this.#waiting];
    return retried;
  }

  get waiting(): readonly QueueMessage[] {
    return this.#waiting.map((waiting) => waiting.message);
  }

  /** The messages the queue gave up on after MAX_RECEIVE_COUNT receives. */
  get deadLetters(): readonly QueueMessage[] {
    return this.#deadLetters;
  }
}
