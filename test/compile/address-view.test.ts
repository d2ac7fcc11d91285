import { describe, expect, it } from "vitest";
import { NetworkTopology, viewFrom } from "../../lib/compile/address-view.js";
import type { Workload } from "../../lib/inventory/model.js";

const A = "aws:111111111111:us-east-1:vpc-0a1b2c3d";
const B = "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-net:vnet-prod";
const C = "gcp:shop-prod:prod-net";
const D = "gcp:shop-prod:other-net";

const topology = new NetworkTopology({
  connected: [
    [A, B],
    [B, C],
  ],
  nat: { [C]: ["203.0.113.10/32", "203.0.113.11/32"] },
});

function vm(nics: Workload["nics"]): Workload {
  return { id: "gcp:shop-prod:us-central1-a:vm-1", state: "running", nics, tags: {} };
}

describe("NetworkTopology", () => {
  it("connects the networks of one group, and is not transitive", () => {
    expect(topology.connected(A, B)).toBe(true);
    expect(topology.connected(C, B)).toBe(true);
    expect(topology.connected(A, C)).toBe(false);
    expect(topology.connected(A, D)).toBe(false);
  });
});

describe("viewFrom", () => {
  it("sees a NIC in the same network by its private address, as a local member", () => {
    expect(viewFrom(C, vm([{ network: C, privateIp: "10.3.0.1", publicIp: "34.0.0.1" }]), topology)).toEqual({
      local: true,
      via: "private",
      addresses: ["10.3.0.1"],
    });
  });

  it("prefers a connected network's private address to a public one", () => {
    const workload = vm([{ network: C, privateIp: "10.3.0.1", publicIp: "34.0.0.1" }]);
    expect(viewFrom(B, workload, topology)).toEqual({
      local: false,
      via: "private",
      addresses: ["10.3.0.1"],
    });
  });

  it("uses the public address from a network that is not connected", () => {
    const workload = vm([{ network: C, privateIp: "10.3.0.1", publicIp: "34.0.0.1" }]);
    expect(viewFrom(A, workload, topology)).toEqual({ local: false, via: "public", addresses: ["34.0.0.1"] });
  });

  it("falls back to the NAT addresses of the source's network", () => {
    const workload = vm([{ network: C, privateIp: "10.3.0.1" }]);
    expect(viewFrom(A, workload, topology)).toEqual({
      local: false,
      via: "nat",
      addresses: ["203.0.113.10/32", "203.0.113.11/32"],
    });
  });

  it("cannot see a source with no route, no public address and no NAT", () => {
    expect(viewFrom(A, vm([{ network: D, privateIp: "10.4.0.1" }]), topology)).toEqual({
      local: false,
      addresses: [],
    });
  });

  it("with several NICs, sees only the NICs in the viewing network", () => {
    const workload = vm([
      { network: C, privateIp: "10.3.0.1" },
      { network: A, privateIp: "10.1.0.1", publicIp: "54.0.0.1" },
    ]);
    expect(viewFrom(A, workload, topology)).toEqual({ local: true, via: "private", addresses: ["10.1.0.1"] });
    expect(viewFrom(D, workload, topology).via).toBe("public");
  });
});
