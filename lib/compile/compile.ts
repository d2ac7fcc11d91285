import type { Inventory } from "../inventory/model.js";
import type { Policy } from "../policy/model.js";
import { IncrementalCompiler } from "./incremental.js";
import type { Intent } from "./model.js";

/**
 * policy + inventory → Intent, in one go: ingress per destination and, where a ruleset enforces
 * egress, egress per source (v2). Deterministic and frozen.
 */
export function compile(policy: Policy, inventory: Inventory): Intent {
  return IncrementalCompiler.build(policy, inventory).snapshot();
}

/** The canonical serialization: equal intents give byte-identical text. */
export function serializeIntent(intent: Intent): string {
  return JSON.stringify(intent);
}
