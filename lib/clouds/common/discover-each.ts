import { compareText } from "../../util/compare-text.js";
import type { Discovery } from "../provider.js";

/**
 * A full read of a cloud: each place (an AWS account and region, an Azure subscription, a GCP
 * project) read side by side, merged in an order that does not depend on which read ended first:
 * workloads and networks by id, findings in the places' order, the places' states by `placeOrder`.
 */
export async function discoverEach<Place, PlaceState>(
  places: readonly Place[],
  readOne: (place: Place) => Promise<Discovery<PlaceState>>,
  placeOrder: (a: PlaceState, b: PlaceState) => number,
): Promise<Discovery<readonly PlaceState[]>> {
  const found = await Promise.all(places.map(readOne));
  return {
    workloads: found.flatMap((d) => d.workloads).sort((a, b) => compareText(a.id, b.id)),
    networks: found.flatMap((d) => d.networks).sort((a, b) => compareText(a.id, b.id)),
    findings: found.flatMap((d) => d.findings),
    state: found.map((d) => d.state).sort(placeOrder),
  };
}
