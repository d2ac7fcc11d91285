import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BURST_SIZE, burstScenarioText } from "../../scripts/burst-scenario.js";
import {
  applyStep,
  formatIssue,
  isCloudStep,
  loadScenarioFile,
  loadScenarioText,
  type Scenario,
  scenarioSeed,
  stepKind,
} from "../../sim/scenario.js";
import { SimulatedClouds } from "../../sim/simulated-clouds.js";
import {
  AWS_VPC,
  AWS_WEB,
  AZURE_API,
  estateOf,
  exampleEstate,
  GCP_NET,
  SCENARIOS_DIR,
  SMALL_ESTATE,
} from "./fixtures.js";

const H = "apiVersion: segsync/v1\nkind: Scenario\nsteps:\n";

function issues(source: string, estate = false): string[] {
  const result = loadScenarioText(source, "s.yaml", estate ? { estate: estateOf(SMALL_ESTATE) } : {});
  if (result.ok) throw new Error("expected the scenario to be refused");
  return result.issues.map((issue) => formatIssue("s.yaml", issue));
}

describe("the example scenarios", () => {
  const files = readdirSync(SCENARIOS_DIR)
    .filter((name) => name.endsWith(".yaml"))
    .sort();

  it("are the demo's, the migrations in every direction, the flapping one and policy v2's", () => {
    expect(files).toEqual([
      "burst-200-launches.yaml",
      "duplicated-reordered-events.yaml",
      "egress.yaml",
      "migrate-aws-to-azure.yaml",
      "migrate-azure-to-aws.yaml",
      "migrate-azure-to-gcp.yaml",
      "migrate-gcp-to-aws.yaml",
      "retag.yaml",
      "stop-start.yaml",
      "traffic.yaml",
    ]);
  });

  it.each(files)("%s loads and every step happens on the example estate", async (name) => {
    const result = await loadScenarioFile(join(SCENARIOS_DIR, name), { estate: await exampleEstate() });
    if (!result.ok) throw new Error(result.issues.map((issue) => formatIssue(name, issue)).join("\n"));
    // Every change is reconciled before the end (a traffic step may follow the last reconcile).
    const steps = result.scenario.steps;
    const lastChange = steps.findLastIndex((step) => isCloudStep(step));
    expect(steps.slice(lastChange + 1).map(stepKind)).toContain("reconcile");
  });

  it("migrate-aws-to-azure moves a web workload from AWS to Azure, then reconciles", async () => {
    const result = await loadScenarioFile(join(SCENARIOS_DIR, "migrate-aws-to-azure.yaml"));
    if (!result.ok) throw new Error("expected the scenario to load");
    const migrate = result.scenario.steps.find((step) => "migrate" in step);
    expect(migrate).toMatchObject({
      migrate: { from: expect.stringMatching(/^aws:/), to: { id: expect.stringMatching(/^azure:/) } },
    });
    const clouds = SimulatedClouds.fromEstate(await exampleEstate());
    const from = migrate && "migrate" in migrate ? migrate.migrate.from : "";
    expect(clouds.workload(from)?.tags["seg-role"]).toBe("web");
  });

  it("burst-200-launches is the generator's output, with 200 launches over the three clouds", () => {
    const text = readFileSync(join(SCENARIOS_DIR, "burst-200-launches.yaml"), "utf8");
    expect(text).toBe(burstScenarioText());
    const result = loadScenarioText(text, "burst.yaml");
    if (!result.ok) throw new Error("expected the scenario to load");
    const launches = result.scenario.steps.flatMap((step) =>
      "launch" in step ? [step.launch.id.split(":")[0]] : [],
    );
    expect(launches).toHaveLength(BURST_SIZE);
    expect(new Set(launches)).toEqual(new Set(["aws", "azure", "gcp"]));
  });
});

const INVALID: readonly (readonly [string, string, readonly string[]])[] = [
  [
    "unknownKind",
    `${H}  - lanch: { id: x }\n`,
    ['s.yaml:4:5 steps[0].lanch: unknown key "lanch" (did you mean "launch"?)'],
  ],
  [
    "twoKinds",
    `${H}  - { stop: { id: "${AWS_WEB}" }, start: { id: "${AWS_WEB}" } }\n`,
    ["s.yaml:4:5 steps[0]: a step does one thing, not stop, start: make them separate steps"],
  ],
  [
    "empty",
    `${H}  - {}\n`,
    [
      "s.yaml:4:5 steps[0]: a step is one of launch, retag, stop, start, terminate, migrate, traffic, reconcile, fullSync",
    ],
  ],
  ["noSteps", "apiVersion: segsync/v1\nkind: Scenario\nsteps: []\n", ["s.yaml:3:8 steps: must not be empty"]],
  ["missingSteps", "apiVersion: segsync/v1\nkind: Scenario\n", ["s.yaml:1:1 steps: required key is missing"]],
  [
    "launchField",
    H +
      `  - launch: { id: "${AWS_WEB}", network: "${AWS_VPC}", privateIp: 10.1.0.50, tags: {}, state: stopped }\n`,
    [
      's.yaml:4:152 steps[0].launch.state: unknown key "state" (allowed: id, network, privateIp, publicIp, tags)',
    ],
  ],
  [
    "launchIp",
    `${H}  - launch: { id: "${AWS_WEB}", network: "${AWS_VPC}", privateIp: 10.1.0.500, tags: {} }\n`,
    ['s.yaml:4:131 steps[0].launch.privateIp: "10.1.0.500" is not an IPv4 address'],
  ],
  [
    "launchNoTags",
    `${H}  - launch: { id: "${AWS_WEB}", network: "${AWS_VPC}", privateIp: 10.1.0.50 }\n`,
    ["s.yaml:4:13 steps[0].launch.tags: required key is missing"],
  ],
  [
    "badId",
    `${H}  - stop: { id: "aws:1:us-east-1:i-1" }\n`,
    [
      's.yaml:4:17 steps[0].stop.id: "aws:1:us-east-1:i-1" is not a valid aws workload id (aws:<account>:<region>:<instanceId>): account "1" must be 12 digits',
    ],
  ],
  [
    "reconcileArg",
    `${H}  - reconcile: { now: true }\n`,
    ['s.yaml:4:18 steps[0].reconcile.now: unknown key "now": this map takes no keys'],
  ],
  [
    "migrateTags",
    H +
      `  - migrate: { from: "${AWS_WEB}", to: { id: "gcp:shop-prod:us-central1-a:x-1", network: "${GCP_NET}", privateIp: 10.3.0.60, tags: {} } }\n`,
    ['s.yaml:4:173 steps[0].migrate.to.tags: unknown key "tags" (allowed: id, network, privateIp, publicIp)'],
  ],
  [
    "stepsMap",
    "apiVersion: segsync/v1\nkind: Scenario\nsteps: { reconcile: {} }\n",
    ["s.yaml:3:8 steps: expected a list, got a map"],
  ],
];

describe("a scenario that is not well formed", () => {
  it.each(INVALID)("%s", (_, source, expected) => {
    expect(issues(source)).toEqual(expected);
  });
});

describe("a scenario tried on its estate", () => {
  it("reports each step that could not happen where it is written, and runs the others", () => {
    const source =
      H +
      [
        `  - stop: { id: "${AWS_WEB}" }`,
        `  - stop: { id: "${AWS_WEB}" }`,
        "  - reconcile: {}",
        `  - launch: { id: "aws:111111111111:us-east-1:i-0a0000000000000f1", network: "${AWS_VPC}", privateIp: 10.1.0.11, tags: {} }`,
        `  - migrate: { from: "${AZURE_API}", to: { id: "gcp:shop-prod:us-central1-a:x-1", network: "${GCP_NET}", privateIp: 10.3.0.60 } }`,
        `  - terminate: { id: "${AZURE_API}" }`,
      ].join("\n") +
      "\n";
    expect(issues(source, true)).toEqual([
      "s.yaml:5:17 steps[1].stop.id: aws:111111111111:us-east-1:i-0a00000000000001 is already stopped",
      "s.yaml:7:132 steps[3].launch.privateIp: 10.1.0.11 is already used in aws:111111111111:us-east-1:vpc-0a1b2c3d by aws:111111111111:us-east-1:i-0a00000000000001",
      "s.yaml:9:22 steps[5].terminate.id: azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-shop:vm-api-1 does not exist (anymore)",
    ]);
  });
});

describe("scenario steps", () => {
  const scenario = (steps: Scenario["steps"]): Scenario => ({
    apiVersion: "segsync/v1",
    kind: "Scenario",
    steps,
  });

  it("tell the cloud steps from the pipeline's", () => {
    expect(
      [{ reconcile: {} }, { fullSync: {} }, { stop: { id: AWS_WEB } }].map((s) => isCloudStep(s as never)),
    ).toEqual([false, false, true]);
  });

  it("seed a scenario's event ids by its steps", () => {
    const a = scenario([{ stop: { id: AWS_WEB } }]);
    const b = scenario([{ start: { id: AWS_WEB } }]);
    expect(scenarioSeed(a)).toBe(scenarioSeed(scenario([{ stop: { id: AWS_WEB } }])));
    expect(scenarioSeed(a)).not.toBe(scenarioSeed(b));
    const run = (s: Scenario) => {
      const clouds = SimulatedClouds.fromEstate(estateOf(SMALL_ESTATE), { eventSeed: scenarioSeed(s) });
      return applyStep(clouds, { stop: { id: AWS_WEB } }).map((e) => (e.body as { id: string }).id);
    };
    expect(run(a)).toEqual(run(a));
    expect(run(a)).not.toEqual(run(b));
  });
});
