/**
 * What an event reads in EC2 when AWS reads a change alone (lib/clouds/aws/discover-change.ts,
 * docs/architecture.md "Targeted reads (AWS)"): through the production event path on the
 * simulator, the port calls of one reconcile after a launch, a re-tag and a termination. Each read
 * is filtered by id, name or reference (never by the ownership tag or a label key, which read the
 * whole location), and what it returns does not include the estate's other identities.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { Ec2Filter } from "../../../lib/clouds/aws/api.js";
import { loadPolicyText } from "../../../lib/policy/load.js";
import type { SimulatedEc2 } from "../../../sim/clouds/aws/api.js";
import { Simulation } from "../../../sim/simulation.js";
import { estateOf, text } from "../../sim/fixtures.js";

const LOCATION = { account: "111111111111", region: "us-east-1" };
const VPC = "aws:111111111111:us-east-1:vpc-0a1b2c3d";
const id = (instance: string) => `aws:111111111111:us-east-1:${instance}`;
/** Other identities, which no event below touches: their objects must never be read. */
const BYSTANDERS = 12;

const POLICY = text(
  "apiVersion: segsync/v1",
  "kind: Policy",
  "labels: { tagPrefix: seg-, dimensions: [app, role] }",
  "rulesets:",
  "  - name: shop",
  "    scope: { app: shop }",
  "    enforcement: enforced",
  "    rules:",
  "      - { from: { role: web }, to: { role: db }, services: [tcp/5432] }",
  "  - name: blog",
  "    scope: { app: blog }",
  "    enforcement: enforced",
  "    rules:",
  "      - { from: { role: api }, to: { role: worker }, services: [tcp/8080] }",
);

function estate(): string {
  const workload = (instance: string, ip: string, tags: string) =>
    `  - { id: "${id(instance)}", network: "${VPC}", privateIp: ${ip}, tags: { ${tags} } }`;
  const bystanders = Array.from({ length: BYSTANDERS }, (_, n) =>
    workload(
      `i-0b${String(n).padStart(14, "0")}`,
      `10.1.2.${10 + n}`,
      `seg-app: blog, seg-role: ${n % 2 === 0 ? "api" : "worker"}`,
    ),
  );
  return text(
    "apiVersion: segsync/v1",
    "kind: Estate",
    "networks:",
    `  - { id: "${VPC}", cidr: 10.1.0.0/16 }`,
    "workloads:",
    workload("i-0a00000000000001", "10.1.0.11", "seg-app: shop, seg-role: web"),
    workload("i-0a00000000000002", "10.1.0.12", "seg-app: shop, seg-role: web"),
    workload("i-0a00000000000003", "10.1.0.21", "seg-app: shop, seg-role: db"),
    workload("i-0a00000000000005", "10.1.0.22", "seg-app: shop, seg-role: db"),
    ...bystanders,
  );
}

async function synced(): Promise<{ simulation: Simulation; ec2: SimulatedEc2 }> {
  const policy = loadPolicyText(POLICY, "policy.yaml");
  if (!policy.ok) throw new Error(JSON.stringify(policy.issues));
  const simulation = Simulation.start(policy.policy, estateOf(estate()));
  await simulation.step({ fullSync: {} });
  const ec2 = simulation.clouds.aws(LOCATION);
  ec2.clearCalls();
  return { simulation, ec2 };
}

/** The reads of one call log, each as `method filter=values;…` (ids of bystanders would show). */
function reads(ec2: SimulatedEc2): string[] {
  return ec2.calls
    .filter((call) => call.method.startsWith("describe") || call.method === "getManagedPrefixListEntries")
    .map((call) => {
      const [first] = call.args;
      if (!Array.isArray(first)) return `${call.method} ${String(first)}`;
      const filters = (first as Ec2Filter[]).map((f) => `${f.Name}=${f.Values.join(",")}`);
      return `${call.method} ${filters.join(";")}`;
    });
}

/** Every filter is by id, name or reference: no read of the whole location. */
function expectTargeted(lines: readonly string[]): void {
  for (const line of lines) {
    expect(line, line).not.toMatch(/tag-key=|tag:segsync|^describeManagedPrefixLists owner-id=/);
    expect(line, line).not.toMatch(/i-0b0/);
  }
}

describe("AWS reads a change alone", () => {
  let simulation: Simulation;
  let ec2: SimulatedEc2;
  beforeEach(async () => {
    ({ simulation, ec2 } = await synced());
  });

  it("a launch next to existing web servers reads the new instance, its ENI, the web and db groups by name and what their rules reference", async () => {
    await simulation.step({
      launch: {
        id: id("i-0a00000000000004"),
        network: VPC,
        privateIp: "10.1.0.13",
        tags: { "seg-app": "shop", "seg-role": "web" },
      },
    });
    ec2.clearCalls();
    const outcome = await simulation.step({ reconcile: {} });

    // Its original group recorded, then its groups set: nothing else in the location changes.
    const summaries = outcome.result?.plan.aws?.summaries ?? [];
    expect(summaries.map((s) => `${s.action} ${s.objectType}`)).toEqual([
      "update network interface",
      "update network interface",
    ]);
    const lines = reads(ec2);
    expectTargeted(lines);
    expect(lines).toContain(
      "describeInstances instance-id=i-0a00000000000004;instance-state-name=pending,running,stopping,stopped",
    );
    expect(lines).toContain("describeNetworkInterfaces attachment.instance-id=i-0a00000000000004");
    expect(lines.some((line) => line.startsWith("describeSecurityGroups group-name=segsync-"))).toBe(true);
    // The web group's set does not change: no ENI of the other web servers is read.
    expect(lines.filter((line) => line.startsWith("describeNetworkInterfaces"))).toHaveLength(1);
    expect(lines.length).toBeLessThanOrEqual(8);
  });

  it("a re-tag from web to db reads the instance, both identities' groups, and no other ENI", async () => {
    await simulation.step({
      retag: { id: id("i-0a00000000000002"), tags: { "seg-app": "shop", "seg-role": "db" } },
    });
    ec2.clearCalls();
    const outcome = await simulation.step({ reconcile: {} });

    const kinds = outcome.result?.plan.aws?.summaries.map((s) => `${s.action} ${s.objectType}`) ?? [];
    expect(kinds).toContain("update network interface");
    const lines = reads(ec2);
    expectTargeted(lines);
    expect(lines).toContain("describeNetworkInterfaces attachment.instance-id=i-0a00000000000002");
    expect(lines.filter((line) => line.startsWith("describeNetworkInterfaces"))).toHaveLength(1);
  });

  it("terminating the last running db server reads the ENIs that still carry its group and who references it, and deletes it", async () => {
    await simulation.step({ terminate: { id: id("i-0a00000000000005") } });
    await simulation.step({ reconcile: {} });
    await simulation.step({ terminate: { id: id("i-0a00000000000003") } });
    ec2.clearCalls();
    const outcome = await simulation.step({ reconcile: {} });

    const kinds = outcome.result?.plan.aws?.summaries.map((s) => `${s.action} ${s.objectType}`) ?? [];
    expect(kinds).toContain("delete security group");
    const lines = reads(ec2);
    expectTargeted(lines);
    expect(lines.some((line) => line.startsWith("describeNetworkInterfaces group-id=sg-"))).toBe(true);
    expect(lines.some((line) => line.startsWith("describeSecurityGroups ip-permission.group-id=sg-"))).toBe(
      true,
    );
  });

  it("keeps the group of a destination left with a stopped member only: that member's ENI, not re-read, still carries it", async () => {
    await simulation.step({ stop: { id: id("i-0a00000000000005") } });
    await simulation.step({ reconcile: {} });
    await simulation.step({ terminate: { id: id("i-0a00000000000003") } });
    const outcome = await simulation.step({ reconcile: {} });

    const summaries = outcome.result?.plan.aws?.summaries ?? [];
    expect(summaries.filter((s) => s.action === "delete")).toEqual([]);
    expect(outcome.result?.refused).toEqual({});
    expect(outcome.result?.failures).toEqual({});
  });
});
