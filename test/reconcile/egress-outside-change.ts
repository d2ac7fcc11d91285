/**
 * How often an event batch's egress reaches outside its change: per cloud, the egress grants of
 * the change's slice whose target identity has members in the source's network (a native
 * reference where the cloud has one) but is not a destination of the change. The property tests
 * on policy v2 assert that their seeds reach such targets in every cloud, so that their
 * comparisons are not vacuous.
 */
import { CLOUDS, type Cloud } from "../../lib/inventory/model.js";
import type { Simulation } from "../../sim/simulation.js";

export type OutsideCounts = Record<Cloud, number>;

export function noCounts(): OutsideCounts {
  return { aws: 0, azure: 0, gcp: 0 };
}

/** Counts, into `counts`, every change read of the simulation's drivers from now on. */
export function countEgressOutsideChanges(simulation: Simulation, counts: OutsideCounts): void {
  for (const cloud of CLOUDS) {
    const driver = simulation.drivers[cloud];
    const read = driver.discoverChange.bind(driver);
    Object.assign(driver, {
      discoverChange: ((labels, change, planning) => {
        const inChange = new Set(change.destinations);
        for (const entry of planning?.after.egress ?? [])
          for (const grant of entry.cloud === cloud ? entry.opens : [])
            if (
              grant.target.kind === "identity" &&
              grant.target.local.length > 0 &&
              !inChange.has(grant.target.key)
            )
              counts[cloud]++;
        return read(labels, change, planning);
      }) satisfies typeof driver.discoverChange,
    });
  }
}
