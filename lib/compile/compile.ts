import type { Inventory } from "../inventory/model.js";
import type { Policy } from "../policy/model.js";
import { IncrementalCompiler } from "./incremental.js";
import type { Intent } from "./model.js";

/**
 * policy + inventory → Intent, in one go. Deterministic and frozen. A policy with deny rules, rules
 * to an ipList or enforced egress is refused (UnsupportedPolicyFeatureError, from build).
 */
export function compile(policy: Policy, inventory: Inventory): Intent {
  return IncrementalCompiler.build(policy, inventory).snapshot();
}

/** The canonical serialization: equal intents give byte-identical text. */
export function serializeIntent(intent: Intent): string {
  return JSON.stringify(intent);
}
