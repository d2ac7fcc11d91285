/**
 * Who decides a routed flow (docs/formats.md, "Traffic"): the checks it meets, each a cloud's own
 * rules on its native state now, the first that rejects deciding.
 */
import { cloudOfId } from "../../lib/inventory/ids.js";
import type { Cloud } from "../../lib/inventory/model.js";
import type { TrafficView } from "../clouds/traffic.js";
import type { TrafficService } from "../traffic-schema.js";
import type { CloudDecision, Routed } from "./model.js";

/** One end's cloud checking a routed flow; undefined when that end is outside the estate. */
type Check = (
  route: Routed,
  service: TrafficService,
  view: (cloud: Cloud) => TrafficView<unknown>,
) => CloudDecision | undefined;

/** The destination's cloud, with its own rules for what arrives on the interface. */
const destinationIngress: Check = (route, service, view) => {
  const nic = route.destinationNic;
  if (nic === undefined) return undefined;
  const cloud = cloudOfId(nic.workload);
  return { cloud, ...view(cloud).ingress(nic, route.seenSource, service.protocol, service.port) };
};

/**
 * The checks a flow meets, in the order its packets meet them. The source's egress check goes
 * first once egress is enforced; today egress is open (segsync enforces none, and the simulators'
 * egress rules are not evaluated).
 */
const CHECKS: readonly Check[] = [destinationIngress];

/** The first check that rejects decides; else the last that decided; with none (an outside destination), accepted. */
export function decide(
  route: Routed,
  service: TrafficService,
  view: (cloud: Cloud) => TrafficView<unknown>,
): CloudDecision {
  let decided: CloudDecision = { accepted: true };
  for (const check of CHECKS) {
    const decision = check(route, service, view);
    if (decision === undefined) continue;
    decided = decision;
    if (!decision.accepted) break;
  }
  return decided;
}

/**
 * Sends every flow of the step, logging to `logs` (the clouds' own, unless a caller keeps a log
 * of its own); throws SimulationRefusedError (at `traffic[i]…`) for a flow that could not be sent.
 */
