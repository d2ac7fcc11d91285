import { describe, expect, it } from "vitest";
import { measureTraffic, TRAFFIC_CONNECTIONS } from "../../bench/simulate/traffic.js";

describe("the bench's traffic section", () => {
  it("sends every connection, with each verdict among them, and reads its flow logs back whole", async () => {
    const result = await measureTraffic({ workloads: 400, rules: 20, seed: 1, changes: 0 });
    expect(result.connections).toBe(TRAFFIC_CONNECTIONS);
    expect(result.accepted + result.rejected + result.unreachable).toBe(TRAFFIC_CONNECTIONS);
    expect(Math.min(result.accepted, result.rejected, result.unreachable)).toBeGreaterThan(0);
    expect(result.malformed).toBe(0);
    // Each sent connection is read back at least once (a cross-cloud one once per format).
    expect(result.readConnections).toBeGreaterThanOrEqual(result.accepted + result.rejected);
    expect(result.stepMs).toBeGreaterThan(0);
  }, 60_000);
});
