import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLOUDS } from "../../lib/inventory/model.js";
import { loadPolicyFile } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import { STEP_INTERVAL_MS } from "../../sim/scenario.js";
import { Simulation } from "../../sim/simulation.js";
import type { TrafficOutcome } from "../../sim/traffic/send.js";
import type { TrafficFlow } from "../../sim/traffic-schema.js";
import { exampleEstate, REPO_ROOT } from "./fixtures.js";
import { discoveredInventory, EX, expectedKeys, readBack, servicePortsOf } from "./traffic-logs.js";

const GCP_API = "gcp:shop-prod:us-central1-b:shop-api-3";

/** Flows into each cloud, each with whether examples/policy.yaml's shop allows it. */
const FLOWS: readonly (TrafficFlow & { readonly allowed: boolean })[] = [
  { from: EX.web1, to: EX.api1, service: "tcp/8080", count: 2, allowed: true },
  { from: EX.web1, to: EX.db1, service: "tcp/5432", count: 1, allowed: false },
  { from: EX.api2, to: EX.db1, service: "tcp/5432", count: 1, allowed: true },
  { from: EX.prometheus, to: EX.api2, service: "tcp/9100", count: 1, allowed: true },
  { from: EX.batch, to: EX.api2, service: "tcp/5432", count: 2, allowed: false },
  { from: EX.web1, to: EX.api2, service: "tcp/8080", count: 1, allowed: true },
  { from: GCP_API, to: EX.db2, service: "tcp/5432", count: 1, allowed: true },
  { from: EX.web3, to: EX.db2, service: "tcp/5432", count: 1, allowed: false },
  { from: "10.8.0.5", to: EX.web3, service: "tcp/443", count: 1, allowed: true },
  { from: "198.51.100.7", to: "34.0.0.21", service: "tcp/80", count: 1, allowed: false },
];
const TRAFFIC = FLOWS.map(({ allowed: _, ...flow }) => flow);

async function policies(): Promise<{ enforced: Policy; visibility: Policy }> {
  const loaded = await loadPolicyFile(join(REPO_ROOT, "examples", "policy.yaml"));
  if (!loaded.ok) throw new Error("the example policy must load");
  const enforced = loaded.policy;
  const rulesets = enforced.rulesets.map((ruleset) => ({ ...ruleset, enforcement: "visibility" as const }));
  return { enforced, visibility: { ...enforced, rulesets } };
}

function verdicts(outcome: TrafficOutcome | undefined): string[] {
  return (outcome?.flows ?? []).map((flow) => flow.verdict);
}

describe("traffic before and after a policy is enforced, in all three clouds", () => {
  it("is decided by the clouds' own rules in visibility, then rejected exactly where the enforced policy does not allow it", async () => {
    const { enforced, visibility } = await policies();
    const looking = Simulation.start(visibility, await exampleEstate());
    await looking.fullSync();
    const launch = { id: GCP_API, network: "gcp:shop-prod:prod-net", privateIp: "10.3.0.51" };
    await looking.step({
      launch: { ...launch, tags: { "seg-app": "shop", "seg-env": "prod", "seg-role": "api" } },
    });
    await looking.step({ reconcile: {} });
    const before = (await looking.step({ traffic: TRAFFIC })).traffic;

    const enforcing = looking.withPolicy(enforced);
    await enforcing.fullSync();
    // The traffic step's minute: its connections are the logs' from then on.
    const enforcedAt = enforcing.clouds.clock.now().getTime() + STEP_INTERVAL_MS;
    const after = (await enforcing.step({ traffic: TRAFFIC })).traffic as TrafficOutcome;

    // Visibility writes nothing: the estate's own rules decide. AWS: api-1 has only the customer's
    // legacy-ssh group, db-1 the VPC's default group, which admits its members (web-1) and nothing
    // from Azure. Azure: vm-api-2's customer NSG admits SSH and its own VNet (batch), not the
    // connected VPC. GCP: no rule but legacy-web's 8080, so the implied rule denies.
    expect(verdicts(before)).toEqual([
      "rejected",
      "accepted",
      "rejected",
      "rejected",
      "accepted",
      "rejected",
      "rejected",
      "rejected",
      "rejected",
      "rejected",
    ]);
    expect(verdicts(after)).toEqual(FLOWS.map((flow) => (flow.allowed ? "accepted" : "rejected")));
    expect(new Set(after.flows.map((flow) => flow.decidedBy?.cloud))).toEqual(new Set(CLOUDS));

    // The logs of the enforced traffic say the same: REJECT for exactly the flows the policy does not allow.
    const inventory = await discoveredInventory(enforcing);
    for (const cloud of CLOUDS) {
      const files = enforcing.clouds.flowLogs.files().filter((file) => file.cloud === cloud);
      const read = await readBack(files, inventory, enforcing, servicePortsOf([after]), enforcedAt);
      expect(read.keys, cloud).toEqual(expectedKeys([after], cloud, enforcing, inventory));
      const rejected = read.keys.filter((key) => key.endsWith(" reject"));
      const notAllowed = FLOWS.filter((f) => !f.allowed && expectedDestinationCloud(f.to) === cloud);
      expect(new Set(rejected).size, cloud).toBe(notAllowed.length);
    }
  });
});

/** The cloud of a flow's destination, by its id or (for the address in FLOWS) the workload holding it. */
function expectedDestinationCloud(to: string): string {
  return to.includes(":") ? (to.split(":")[0] as string) : "gcp";
}
