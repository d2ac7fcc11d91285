/**
 * The GCP simulator holds enforced egress (v2) as Compute does: EGRESS rules with destination
 * ranges, checked as Compute checks them, counted in the one "VPC firewall rules" quota of the
 * project whatever their direction (docs/clouds.md, "GCP firewall rule limits"), and shown in the
 * state that `simulate --state-out` writes.
 */
import { describe, expect, it } from "vitest";
import { GcpInvalidRequestError, GcpQuotaExceededError } from "../../../../lib/clouds/gcp/errors.js";
import { type GcpFirewall, networkUrl } from "../../../../lib/clouds/gcp/model.js";
import { SimulatedCompute } from "../../../../sim/clouds/gcp/api.js";
import { simulatorOf } from "../../../../sim/clouds/registry.js";

const PROJECT = "shop-prod";
const NET = networkUrl(PROJECT, "prod-net");
const LIMITS = {
  sourceRangesPerRule: 2,
  sourceTagsPerRule: 30,
  networkTagsPerInstance: 64,
  firewallRulesPerProject: 3,
};

function egress(name: string, fields: Partial<GcpFirewall> = {}): GcpFirewall {
  return {
    name,
    network: NET,
    priority: 900,
    direction: "EGRESS",
    description: "segsync:managed",
    targetTags: ["segsync-web"],
    destinationRanges: ["198.51.100.0/24"],
    allowed: [{ IPProtocol: "tcp", ports: ["443"] }],
    ...fields,
  };
}

function project(): SimulatedCompute {
  const sim = SimulatedCompute.empty(PROJECT, { limits: LIMITS });
  sim.createNetwork({ name: "prod-net" });
  return sim;
}

describe("the GCP simulator with egress rules", () => {
  it("stores an egress rule and lists it back as written, in state() and in the state it writes out", async () => {
    const sim = project();
    await sim.insertFirewall(egress("segsync-web-e1"));
    const listed = await sim.listFirewalls();
    expect(listed).toEqual([
      { ...egress("segsync-web-e1"), disabled: false, id: expect.any(String), selfLink: expect.any(String) },
    ]);
    expect(sim.state().firewalls).toEqual(listed);
    const out = simulatorOf("gcp").stateOut([sim.state()]) as { firewalls: GcpFirewall[] };
    expect(out.firewalls.map((f) => [f.name, f.direction, f.destinationRanges])).toEqual([
      ["segsync-web-e1", "EGRESS", ["198.51.100.0/24"]],
    ]);
  });

  it("refuses source tags on an egress rule, and more destination ranges than the per-rule limit", async () => {
    const sim = project();
    await expect(sim.insertFirewall(egress("segsync-a", { sourceTags: ["segsync-api"] }))).rejects.toThrow(
      GcpInvalidRequestError,
    );
    const three = ["198.51.100.0/26", "198.51.100.64/26", "198.51.100.128/26"];
    await expect(sim.insertFirewall(egress("segsync-b", { destinationRanges: three }))).rejects.toThrow(
      GcpQuotaExceededError,
    );
    await expect(
      sim.insertFirewall(egress("segsync-c", { destinationRanges: ["10.0.0.0/8", "::/0"] })),
    ).rejects.toThrow(GcpInvalidRequestError);
    expect(await sim.listFirewalls()).toEqual([]);
  });

  it("counts ingress and egress rules in one project quota", async () => {
    const sim = project();
    await sim.insertFirewall(egress("segsync-e1"));
    await sim.insertFirewall(egress("segsync-e2", { denied: [{ IPProtocol: "all" }], allowed: undefined }));
    await sim.insertFirewall({
      ...egress("segsync-i1"),
      direction: "INGRESS",
      destinationRanges: undefined,
      sourceRanges: ["10.0.0.0/8"],
    });
    await expect(sim.insertFirewall(egress("segsync-e3"))).rejects.toThrow(GcpQuotaExceededError);
    expect((await sim.listFirewalls()).map((f) => f.name).sort()).toEqual([
      "segsync-e1",
      "segsync-e2",
      "segsync-i1",
    ]);
  });

  it("gives an egress rule without destination ranges Compute's default, every IPv4 address", async () => {
    const sim = project();
    await sim.insertFirewall(egress("segsync-any", { destinationRanges: undefined }));
    expect((await sim.listFirewalls())[0]?.destinationRanges).toEqual(["0.0.0.0/0"]);
  });
});
