/** The intents the graph tests draw: the examples, and test/fixtures/graph (every state and edge kind). */
import { join } from "node:path";
import type { Intent } from "../../lib/compile/model.js";
import { loadPolicyFile } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import { loadEstateFile } from "../../sim/estate.js";
import { Simulation } from "../../sim/simulation.js";
import { REPO_ROOT } from "../policy/fixtures.js";

export const EXAMPLES = { policy: "examples/policy.yaml", estate: "examples/estate.yaml" };
/** Policy v2: deny rules, and the shop's egress enforced (to its payments gateway, an ipList). */
export const EXAMPLES_V2 = { policy: "examples/policy-v2.yaml", estate: "examples/estate.yaml" };
export const WARNINGS = {
  policy: "test/fixtures/graph/policy.yaml",
  estate: "test/fixtures/graph/estate.yaml",
};

/** The intent of a dry-run full sync of the estate under the policy. */
export async function intentOf(files: { policy: string; estate: string }): Promise<Intent> {
  return (await drawnFrom(files)).intent;
}

/** The policy and the intent of a dry-run full sync of the estate under it: what `graph` draws. */
export async function drawnFrom(files: {
  policy: string;
  estate: string;
}): Promise<{ intent: Intent; policy: Policy }> {
  const [policy, estate] = await Promise.all([
    loadPolicyFile(join(REPO_ROOT, files.policy)),
    loadEstateFile(join(REPO_ROOT, files.estate)),
  ]);
  if (!policy.ok || !estate.ok) throw new Error(`invalid test inputs ${files.policy} ${files.estate}`);
  const result = await Simulation.start(policy.policy, estate.estate).fullSync({ dryRun: true });
  return { intent: result.intent, policy: policy.policy };
}
