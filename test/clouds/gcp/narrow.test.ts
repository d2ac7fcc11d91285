import { describe, expect, it } from "vitest";
import type { GcpApi } from "../../../lib/clouds/gcp/api.js";
import { DEFAULT_GCP_PRIORITIES, DEFAULT_GCP_QUOTAS } from "../../../lib/clouds/gcp/config.js";
import { createGcpProvider, type GcpConnection, narrowGcp } from "../../../lib/clouds/gcp/provider.js";
import { SimulatedCompute } from "../../../sim/clouds/gcp/api.js";
import { SEALER } from "../../support/seals.js";

const sims = new Map(
  ["blog-prod-data", "shop-prod", "tools-dev1"].map((p) => [p, SimulatedCompute.empty(p)] as const),
);
const apiFor = (project: string): GcpApi => {
  const sim = sims.get(project);
  if (!sim) throw new Error(`no project ${project}`);
  return sim;
};
const connection: GcpConnection = { apiFor, projects: ["blog-prod-data", "shop-prod", "tools-dev1"] };

describe("GCP narrow: the connection's projects that hold the networks", () => {
  it("keeps the projects of the networks, in the connection's order, with the same apiFor", () => {
    const narrowed = narrowGcp(connection, ["gcp:tools-dev1:tools-net", "gcp:blog-prod-data:default"]);
    expect(narrowed.projects).toEqual(["blog-prod-data", "tools-dev1"]);
    expect(narrowed.apiFor).toBe(apiFor);
    expect(narrowed.apiFor("tools-dev1")).toBe(sims.get("tools-dev1"));
  });

  it("keeps the project of each workload too: a Shared VPC instance's tag is written in its own project", () => {
    const narrowed = narrowGcp(
      connection,
      ["gcp:shop-prod:prod-net"],
      ["gcp:blog-prod-data:us-central1-a:blog-1", "aws:111111111111:us-east-1:i-0a00000000000001"],
    );
    expect(narrowed.projects).toEqual(["blog-prod-data", "shop-prod"]);
  });

  it("names a project once however many of its networks are given", () => {
    const narrowed = narrowGcp(connection, [
      "gcp:shop-prod:prod-net",
      "gcp:shop-prod:default",
      "gcp:shop-prod:prod-net",
    ]);
    expect(narrowed.projects).toEqual(["shop-prod"]);
  });

  it("is the network's project under Shared VPC, not the project of the instances in it", () => {
    // blog-prod-data's instances sit in shop-prod's prod-net: the network is shop-prod's.
    expect(narrowGcp(connection, ["gcp:shop-prod:prod-net"]).projects).toEqual(["shop-prod"]);
  });

  it("ignores other clouds' networks and leaves out projects the connection does not manage", () => {
    const narrowed = narrowGcp(connection, [
      "aws:111111111111:us-east-1:vpc-0a1b2c3d",
      "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-net:vnet-prod",
      "gcp:other-project:prod-net",
      "gcp:shop-prod:default",
    ]);
    expect(narrowed.projects).toEqual(["shop-prod"]);
    expect(narrowGcp(connection, ["aws:111111111111:us-east-1:vpc-0a1b2c3d"]).projects).toEqual([]);
    expect(narrowGcp(connection, []).projects).toEqual([]);
  });

  it("does not change the connection it narrows, and narrowing twice is narrowing once", () => {
    const networks = ["gcp:shop-prod:prod-net", "gcp:tools-dev1:tools-net"];
    const once = narrowGcp(connection, networks);
    expect(narrowGcp(once, networks)).toEqual(once);
    expect(narrowGcp(once, ["gcp:blog-prod-data:default"]).projects).toEqual([]);
    expect(connection.projects).toEqual(["blog-prod-data", "shop-prod", "tools-dev1"]);
  });

  it("is the provider's narrow, and a narrowed discover reads only those projects", async () => {
    const provider = createGcpProvider({
      quotas: DEFAULT_GCP_QUOTAS,
      priorities: DEFAULT_GCP_PRIORITIES,
      sealer: SEALER,
    });
    expect(provider.narrow).toBe(narrowGcp);
    for (const sim of sims.values()) sim.clearCalls();
    const found = await provider.discover(provider.narrow(connection, ["gcp:tools-dev1:tools-net"]), {
      tagPrefix: "seg-",
      dimensions: ["app"],
    });
    expect(found.state.map((p) => p.project)).toEqual(["tools-dev1"]);
    expect(sims.get("shop-prod")?.calls).toEqual([]);
    expect(sims.get("blog-prod-data")?.calls).toEqual([]);
    expect(
      sims
        .get("tools-dev1")
        ?.calls.map((c) => c.method)
        .sort(),
    ).toEqual(["listFirewalls", "listInstances"]);
  });
});
