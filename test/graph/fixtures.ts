/** The intents the graph tests draw: the examples, and test/fixtures/graph (every state and edge kind). */
import { join } from "node:path";
import type { Intent } from "../../lib/compile/model.js";
import { loadPolicyFile } from "../../lib/policy/load.js";
import { loadEstateFile } from "../../sim/estate.js";
import { Simulation } from "../../sim/simulation.js";
import { REPO_ROOT } from "../policy/fixtures.js";

export const EXAMPLES = { policy: "examples/policy.yaml", estate: "examples/estate.yaml" };
export const WARNINGS = {
  policy: "test/fixtures/graph/policy.yaml",
  estate: "test/fixtures/graph/estate.yaml",
};

/** The intent of a dry-run full sync of the estate under the policy. */
export async function intentOf(files: { policy: string; estate: string }): Promise<Intent> {
  const [policy, estate] = await Promise.all([
    loadPolicyFile(join(REPO_ROOT, files.policy)),
    loadEstateFile(join(REPO_ROOT, files.estate)),
  ]);
  if (!policy.ok || !estate.ok) throw new Error(`invalid test inputs ${files.policy} ${files.estate}`);
  return (await Simulation.start(policy.policy, estate.estate).fullSync({ dryRun: true })).intent;
}
