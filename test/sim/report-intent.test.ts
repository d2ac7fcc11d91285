/**
 * reportIntent (lib/reconcile/reconciler.ts): the reconciler function's results hold only an event
 * batch's slice of the intent, so that no batch builds the whole intent; the CLI's and the
 * simulator's default results hold the whole intent. Both plan and write the same.
 */
import { describe, expect, it } from "vitest";
import { loadPolicyFile } from "../../lib/policy/load.js";
import { Simulation } from "../../sim/simulation.js";
import { AWS_VPC, exampleEstate, REPO_ROOT } from "./fixtures.js";

const launch = {
  launch: {
    id: "aws:111111111111:us-east-1:i-0d000000000000001",
    network: AWS_VPC,
    privateIp: "10.1.20.1",
    tags: { "seg-app": "shop", "seg-env": "prod", "seg-role": "web", "seg-loc": "us" },
  },
};

async function launched(reportIntent: "whole" | "change") {
  const policy = await loadPolicyFile(`${REPO_ROOT}/examples/policy.yaml`);
  if (!policy.ok) throw new Error("examples/policy.yaml must load");
  const simulation = Simulation.start(policy.policy, await exampleEstate(), { reportIntent });
  const synced = await simulation.step({ fullSync: {} });
  await simulation.step(launch);
  const reconciled = await simulation.step({ reconcile: {} });
  if (synced.result === undefined || reconciled.result === undefined) throw new Error("no result");
  return { synced: synced.result, reconciled: reconciled.result };
}

describe("reportIntent", () => {
  it("change: an event batch's result holds the launched workload's slice only; whole: the whole intent", async () => {
    const change = await launched("change");
    const whole = await launched("whole");
    // A full sync always reports the whole intent.
    expect(change.synced.intent).toEqual(whole.synced.intent);
    expect(whole.reconciled.intent.workloads.length).toBe(whole.synced.intent.workloads.length + 1);
    expect(change.reconciled.intent.workloads.map((w) => w.workload)).toEqual([launch.launch.id]);
    const keys = change.reconciled.intent.destinations.map((d) => d.key);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.length).toBeLessThan(whole.reconciled.intent.destinations.length);
    for (const key of keys) expect(whole.reconciled.intent.destinations.map((d) => d.key)).toContain(key);
    expect(change.reconciled.applied).toEqual(whole.reconciled.applied);
  });
});
