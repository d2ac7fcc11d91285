import { describe, expect, it } from "vitest";
import { discoverEach } from "../../../lib/clouds/common/discover-each.js";
import type { Discovery } from "../../../lib/clouds/provider.js";
import { compareText } from "../../../lib/util/compare-text.js";
import { workload } from "../../compile/fixtures.js";

/** One place's read: a workload and a network named after the place, and one finding. */
function readOf(place: string): Discovery<{ readonly place: string }> {
  const network = `gcp:${place}:default`;
  return {
    workloads: [workload(`gcp:${place}:us-central1-a:vm-1`, { network, privateIp: "10.0.0.1" }, {})],
    networks: [{ id: network }],
    findings: [{ code: "seen", severity: "warning", subject: place, message: `${place} read` }],
    state: { place },
  };
}

/** Reads that end in the reverse of the order they were asked for. */
function reversedReads(places: readonly string[]) {
  return (place: string) =>
    new Promise<Discovery<{ readonly place: string }>>((resolve) =>
      setTimeout(() => resolve(readOf(place)), (places.length - places.indexOf(place)) * 5),
    );
}

describe("discoverEach", () => {
  it("merges the places' reads in an order that does not depend on which read ended first", async () => {
    const places = ["proj-c", "proj-a", "proj-b"];
    const merged = await discoverEach(places, reversedReads(places), (a, b) => compareText(a.place, b.place));
    expect(merged.workloads.map((w) => w.id)).toEqual([
      "gcp:proj-a:us-central1-a:vm-1",
      "gcp:proj-b:us-central1-a:vm-1",
      "gcp:proj-c:us-central1-a:vm-1",
    ]);
    expect(merged.networks.map((n) => n.id)).toEqual([
      "gcp:proj-a:default",
      "gcp:proj-b:default",
      "gcp:proj-c:default",
    ]);
    // Findings keep the places' order; states follow placeOrder.
    expect(merged.findings.map((f) => f.subject)).toEqual(["proj-c", "proj-a", "proj-b"]);
    expect(merged.state).toEqual([{ place: "proj-a" }, { place: "proj-b" }, { place: "proj-c" }]);
  });

  it("reads no place when there is none", async () => {
    const merged = await discoverEach([], reversedReads([]), () => 0);
    expect(merged).toEqual({ workloads: [], networks: [], findings: [], state: [] });
  });

  it("fails when one place's read fails", async () => {
    const failing = (place: string) =>
      place === "proj-b" ? Promise.reject(new Error("proj-b unreachable")) : Promise.resolve(readOf(place));
    await expect(discoverEach(["proj-a", "proj-b"], failing, () => 0)).rejects.toThrow("proj-b unreachable");
  });
});
