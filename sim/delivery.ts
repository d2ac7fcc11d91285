/**
 * At-least-once delivery between the clouds' event sources and the reconciler, as an option of
 * the simulation (never a scenario field: a scenario says what happens to the estate, not how
 * its events travel). EventBridge, Event Grid and Pub/Sub all retry a delivery whose
 * acknowledgement was lost, and none promises order; the SQS FIFO queue behind the ingest
 * functions deduplicates a message id for only 5 minutes.
 *
 * What travels is the queue message an ingest function sends for an event (lib/ingest/queue-message.ts).
 * The model, deterministic from its seed:
 * - duplicates: each event is, with the given chance, delivered a second time in a later batch.
 *   The redelivery arrives after the queue's deduplication window (a retry with back-off after a
 *   lost acknowledgement), so it is stamped FIFO_DEDUP_WINDOW_MS + 1 s after the first arrival
 *   and passes the queue's deduplication as a fresh message with the same event id. A retry
 *   inside the window would be dropped by the queue and change nothing, so it is not modelled.
 * - reorder: each event is held back by 0 to `window` batches (reconciles), and every batch is
 *   shuffled, so events arrive out of order both within a batch and across batches.
 * Nothing is lost: every event arrives by the batch `2 × window + 1` after the one it was sent in.
 */
import type { QueueMessage } from "../lib/ingest/queue-message.js";
import { SeededRandom } from "../lib/util/seeded-random.js";

/** How long SQS FIFO remembers a deduplication id. */
export const FIFO_DEDUP_WINDOW_MS = 5 * 60_000;
export const DEFAULT_DUPLICATE_RATE = 0.3;
export const DEFAULT_REORDER_WINDOW = 2;

export interface DeliveryOptions {
  /** 0 to 1: the chance that an event is delivered a second time, in a later batch. */
  readonly duplicates?: number;
  /** Shuffle each batch and hold events back by up to `window` batches (true: DEFAULT_REORDER_WINDOW). */
  readonly reorder?: boolean | { readonly window: number };
  readonly seed: number;
}

/** One arrival at the queue. */
export interface Delivery {
  readonly message: QueueMessage;
  /** When it reaches the queue (ms since the epoch, simulated): what the queue deduplicates on. */
  readonly arrivedAt: number;
  readonly redelivery: boolean;
}

export interface DeliveryStats {
  /** Messages handed to the model by the ingest path, one per event. */
  readonly sent: number;
  /** Arrivals at the queue so far, redeliveries included. */
  readonly delivered: number;
  readonly redelivered: number;
  /** First deliveries that arrived in a later batch than the one they were sent before. */
  readonly heldBack: number;
  readonly inFlight: number;
}

interface Scheduled extends Delivery {
  /** The batch (count of deliver() calls before it) the arrival belongs to. */
  readonly due: number;
  readonly sentIn: number;
}

/** The reorder window in batches, or 0 without reordering; a RangeError for options that mean nothing. */
function checkedWindow(options: DeliveryOptions): number {
  const rate = options.duplicates ?? 0;
  if (!(rate >= 0 && rate <= 1))
    throw new RangeError(`the duplicate rate is a chance from 0 to 1, not ${rate}`);
  if (!Number.isSafeInteger(options.seed))
    throw new RangeError(`the delivery seed is an integer, not ${options.seed}`);
  const reorder = options.reorder ?? false;
  const window = reorder === false ? 0 : reorder === true ? DEFAULT_REORDER_WINDOW : reorder.window;
  if (!Number.isSafeInteger(window) || window < 0)
    throw new RangeError(`the reorder window is a whole number of batches, not ${window}`);
  return window;
}

export class AtLeastOnceDelivery {
  private readonly random: SeededRandom;
  private readonly window: number;
  private readonly shuffle: boolean;
  private readonly rate: number;
  private scheduled: Scheduled[] = [];
  private batch = 0;
  private counts = { sent: 0, delivered: 0, redelivered: 0, heldBack: 0 };

  constructor(readonly options: DeliveryOptions) {
    this.window = checkedWindow(options);
    this.shuffle = (options.reorder ?? false) !== false;
    this.rate = options.duplicates ?? 0;
    this.random = new SeededRandom(options.seed);
  }

  /** The messages the ingest path sent at simulated time `now`: each scheduled once, some twice. */
  send(messages: readonly QueueMessage[], now: number): void {
    for (const message of messages) {
      this.counts.sent += 1;
      const due = this.batch + this.delay();
      this.scheduled.push({ message, arrivedAt: now, redelivery: false, due, sentIn: this.batch });
      if (this.rate > 0 && this.random.next() < this.rate) {
        this.scheduled.push({
          message,
          arrivedAt: now + FIFO_DEDUP_WINDOW_MS + 1000,
          redelivery: true,
          due: due + 1 + this.delay(),
          sentIn: this.batch,
        });
      }
    }
  }

  /** What reaches the queue before the next reconcile: every arrival due by now, in delivery order. */
  deliver(): Delivery[] {
    const due = this.scheduled.filter((s) => s.due <= this.batch);
    this.scheduled = this.scheduled.filter((s) => s.due > this.batch);
    if (this.shuffle) this.shuffleInPlace(due);
    for (const s of due) {
      this.counts.delivered += 1;
      if (s.redelivery) this.counts.redelivered += 1;
      else if (s.due > s.sentIn) this.counts.heldBack += 1;
    }
    this.batch += 1;
    return due.map(({ message, arrivedAt, redelivery }) => ({ message, arrivedAt, redelivery }));
  }

  /** Arrivals still to come. */
  get inFlight(): number {
    return this.scheduled.length;
  }

  get stats(): DeliveryStats {
    return { ...this.counts, inFlight: this.scheduled.length };
  }

  /** 0 to `window` batches, uniformly. */
  private delay(): number {
    return this.window === 0 ? 0 : Math.floor(this.random.next() * (this.window + 1));
  }

  /** Fisher-Yates, from the seed. */
  private shuffleInPlace<T>(items: T[]): void {
    for (let i = items.length - 1; i > 0; i -= 1) {
      const j = Math.floor(this.random.next() * (i + 1));
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
  }
}
