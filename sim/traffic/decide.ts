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

/** The source's cloud, with its own rules for what may leave the interface, to the address it sends to. */
const sourceEgress: Check = (route, service, view) => {
  const nic = route.sourceNic;
  if (nic === undefined) return undefined;
  const cloud = cloudOfId(nic.workload);
  const decision = view(cloud).egress(nic, route.target, service.protocol, service.port);
  return { cloud, end: "source", ...decision };
};

/** The destination's cloud, with its own rules for what arrives on the interface. */
const destinationIngress: Check = (route, service, view) => {
  const nic = route.destinationNic;
  if (nic === undefined) return undefined;
  const cloud = cloudOfId(nic.workload);
  const decision = view(cloud).ingress(nic, route.seenSource, service.protocol, service.port);
  return { cloud, end: "destination", ...decision };
};

/** The checks a flow meets, in the order its packets meet them: out of the source, into the destination. */
const CHECKS: readonly Check[] = [sourceEgress, destinationIngress];

/**
 * The first check that rejects decides; else the last that decided (the destination's ingress,
 * or the source's egress for an outside destination). `sourceEgress` is the source's own decision,
 * which its interface logs the connection with.
 */
export function decide(
  route: Routed,
  service: TrafficService,
  view: (cloud: Cloud) => TrafficView<unknown>,
): { readonly decision: CloudDecision; readonly sourceEgress?: CloudDecision } {
  let decision: CloudDecision = { accepted: true };
  let sourceEgressDecision: CloudDecision | undefined;
  for (const check of CHECKS) {
    const decided = check(route, service, view);
    if (decided === undefined) continue;
    if (decided.end === "source") sourceEgressDecision = decided;
    decision = decided;
    if (!decided.accepted) break;
  }
  return { decision, ...(sourceEgressDecision === undefined ? {} : { sourceEgress: sourceEgressDecision }) };
}
