/**
 * The command-line form of the delivery model (`segsync simulate --delivery … --seed N`):
 * `duplicate[=RATE]` and `reorder[=WINDOW]`, comma-separated, each at most once.
 */
import { DEFAULT_DUPLICATE_RATE, DEFAULT_REORDER_WINDOW, type DeliveryOptions } from "./delivery.js";

export const DELIVERY_SPEC_HELP =
  "duplicate[=RATE] and/or reorder[=WINDOW], comma-separated: redeliver a share of the events " +
  `after the queue's deduplication window (default rate ${DEFAULT_DUPLICATE_RATE}); hold events back ` +
  `by up to WINDOW reconciles (default ${DEFAULT_REORDER_WINDOW}) and shuffle each batch`;

export type DeliverySpecResult =
  | { readonly ok: true; readonly options: DeliveryOptions }
  | { readonly ok: false; readonly message: string };

/** `--delivery TEXT` and `--seed TEXT` (default 1) as DeliveryOptions, or what is wrong with them. */
export function parseDeliverySpec(text: string, seedText = "1"): DeliverySpecResult {
  const seed = Number(seedText);
  if (!/^\d+$/.test(seedText) || !Number.isSafeInteger(seed))
    return { ok: false, message: `--seed ${seedText}: expected a whole number` };
  let duplicates: number | undefined;
  let reorder: { window: number } | undefined;
  for (const part of text.split(",").map((p) => p.trim())) {
    const [name = "", value, extra] = part.split("=");
    if (extra !== undefined) return { ok: false, message: `--delivery ${text}: "${part}" has two values` };
    if (name === "duplicate" && duplicates === undefined) {
      duplicates = value === undefined ? DEFAULT_DUPLICATE_RATE : Number(value);
      if (value === "" || !(duplicates >= 0 && duplicates <= 1))
        return { ok: false, message: `--delivery ${text}: duplicate=${value}: expected a rate from 0 to 1` };
    } else if (name === "reorder" && reorder === undefined) {
      const window = value === undefined ? DEFAULT_REORDER_WINDOW : Number(value);
      if (value !== undefined && !/^\d+$/.test(value))
        return {
          ok: false,
          message: `--delivery ${text}: reorder=${value}: expected a whole number of reconciles`,
        };
      reorder = { window };
    } else {
      const why = name === "duplicate" || name === "reorder" ? "is given twice" : "is unknown";
      return {
        ok: false,
        message: `--delivery ${text}: "${name}" ${why} (expected duplicate[=RATE],reorder[=WINDOW])`,
      };
    }
  }
  return {
    ok: true,
    options: { seed, ...(duplicates === undefined ? {} : { duplicates }), ...(reorder ? { reorder } : {}) },
  };
}
