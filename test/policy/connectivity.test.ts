import { describe, expect, it } from "vitest";
import { networksConnected } from "../../lib/policy/connectivity.js";

describe("networksConnected", () => {
  const networks = {
    connected: [
      ["a", "b"],
      ["b", "c"],
    ],
    nat: {},
  };

  it("connects a network to itself and to the networks of its groups", () => {
    expect(networksConnected(networks, "a", "a")).toBe(true);
    expect(networksConnected(networks, "a", "b")).toBe(true);
    expect(networksConnected(networks, "c", "b")).toBe(true);
  });

  it("is not transitive", () => {
    expect(networksConnected(networks, "a", "c")).toBe(false);
    expect(networksConnected(networks, "a", "d")).toBe(false);
  });
});
