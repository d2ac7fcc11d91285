import type { Inventory } from "../inventory/model.js";
import type { Policy } from "../policy/model.js";
import { IncrementalCompiler } from "./incremental.js";
import type { Intent } from "./model.js";

/**
 * policy + inventory → Intent, in one go. Deterministic and frozen. A policy that enforces
 * egress is refused (UnsupportedPolicyFeatureError, from build); deny rules are compiled.
 */
export function compile(
  policy: Policy,
  inventory: Inventory,
  options: { readonly computeEgress?: boolean } = {},
): Intent {
  return IncrementalCompiler.build(policy, inventory, options).snapshot();
}

/** The canonical serialization: equal intents give byte-identical text. */
export function serializeIntent(intent: Intent): string {
  return JSON.stringify(intent);
}
