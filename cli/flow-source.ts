/**
 * The source's end of a flow (docs/policy.md, "Deny rules and egress (v2)"): where its egress is
 * enforced, the allow rules that open the flow and the native egress rule that carries it in the
 * source's cloud, or what closes it; where its egress is open, nothing of segsync's filters it.
 */
import type { NativeMatch, ProbeProtocol, Reachability } from "../lib/clouds/provider.js";
import { type NetworkTopology, reachFrom } from "../lib/compile/address-view.js";
import { identityLabels, matchingEgressDenyRule } from "../lib/compile/deny-match.js";
import type { EgressGrant, EgressIntent, Intent } from "../lib/compile/model.js";
import { RuleServices } from "../lib/flows/rule-order.js";
import { cloudOfId } from "../lib/inventory/ids.js";
import type { Cloud, NetworkId, Workload, WorkloadId } from "../lib/inventory/model.js";
import { cidrContains } from "../lib/net/cidr.js";
import type { Policy } from "../lib/policy/model.js";
import { servicesAdmit } from "../lib/policy/services.js";

/** What is sent: `tcp/5432`, `udp/53`, `icmp` (cli/flows.ts parses it). */
interface Probe {
  readonly protocol: ProbeProtocol;
  readonly port?: number;
}

export interface SourceEnd {
  /** open: segsync filters nothing the source sends; enforced: it may open only what its allow rules name. */
  readonly egress: "open" | "enforced";
  readonly verdict: "allowed" | "denied";
  /** The allow rule ids that open the flow at the source (empty when open or closed). */
  readonly rules: readonly string[];
  /** Why the source may not open it. */
  readonly why?: string;
  /** The deny rule that closes it (deny rules beat every allow). */
  readonly deniedBy?: string;
  /** The source's network and cloud, and the address it sends to as that network reaches the destination. */
  readonly network?: NetworkId;
  readonly cloud?: Cloud;
  readonly destinationAddress?: string;
  /** The native egress rule (or platform path) that lets it leave; absent when the cloud blocks it. */
  readonly native?: NativeMatch;
}

/** Where the flow goes: a workload of the estate, or an address outside it. */
export type FlowDestination =
  | {
      readonly kind: "workload";
      readonly id: WorkloadId;
      readonly workload: Workload;
      readonly identity: string;
    }
  | { readonly kind: "address"; readonly address: string };

export interface SourceInput {
  readonly intent: Intent;
  readonly policy: Policy;
  readonly reach: Record<Cloud, Reachability>;
  readonly topology: NetworkTopology;
}

/** The source's egress verdict for one flow; `network` is the network of its NIC the flow leaves from. */
export function explainSource(
  input: SourceInput,
  source: { readonly id: WorkloadId; readonly network: NetworkId; readonly identity: string },
  destination: FlowDestination,
  probe: Probe,
): SourceEnd {
  const egress = egressOf(input.intent, source.id, source.network);
  if (egress === undefined) return { egress: "open", verdict: "allowed", rules: [] };
  const cloud = cloudOfId(source.id);
  const where = { egress: "enforced" as const, network: egress.network, cloud };
  const address =
    destination.kind === "address"
      ? destination.address
      : reachFrom(egress.network, destination.workload, input.topology).addresses[0];
  const target = destination.kind === "address" ? destination.address : destination.id;
  if (address === undefined)
    return {
      ...where,
      verdict: "denied",
      rules: [],
      why: `${egress.network} cannot reach ${target} at any address (a NAT gives no address to reach)`,
    };
  const native = input.reach[cloud].explainEgress({
    workload: source.id,
    network: egress.network,
    destinationAddress: address,
    ...probe,
  });
  const seen = { ...where, destinationAddress: address, ...(native === undefined ? {} : { native }) };
  const rules = openingRules(egress, destination, address, probe, new RuleServices(input.policy));
  if (rules.length > 0) return { ...seen, verdict: "allowed", rules };
  return {
    ...seen,
    verdict: "denied",
    rules,
    ...closedBecause(input.policy, source, destination, address, probe),
  };
}

/** The egress intent that holds the source: in the network the flow leaves from, else any. */
function egressOf(intent: Intent, id: WorkloadId, network: NetworkId): EgressIntent | undefined {
  const holds = (e: EgressIntent) => e.members.some((member) => member.workload === id);
  const all = intent.egress ?? [];
  return all.find((e) => e.network === network && holds(e)) ?? all.find(holds);
}

function openingRules(
  egress: EgressIntent,
  destination: FlowDestination,
  address: string,
  probe: Probe,
  policyRules: RuleServices,
): string[] {
  const admits = (services: Parameters<typeof servicesAdmit>[0]) =>
    servicesAdmit(services, probe.protocol, probe.port);
  const opens = egress.opens.filter(
    (grant) => admits(grant.services) && reaches(grant, destination, address),
  );
  // A grant merges rules whose services differ: only those that admit the probe open it.
  return policyRules.admitting([...new Set(opens.flatMap((grant) => grant.rules))], admits).sort();
}

function reaches(grant: EgressGrant, destination: FlowDestination, address: string): boolean {
  const { target } = grant;
  if (target.kind === "identity" && destination.kind === "workload" && target.local.includes(destination.id))
    return true;
  return target.cidrs.some((cidr) => cidrContains(cidr, address));
}

/** Why the source may not open it: the deny rule that closes it, else that no allow rule opens it. */
function closedBecause(
  policy: Policy,
  source: { readonly id: WorkloadId; readonly identity: string },
  destination: FlowDestination,
  address: string,
  probe: Probe,
): Pick<SourceEnd, "why" | "deniedBy"> {
  const who = source.identity || source.id;
  const what = destination.kind === "address" ? address : destination.identity || destination.id;
  const on = probe.protocol === "icmp" ? "icmp" : `${probe.protocol}/${probe.port}`;
  const deny = matchingEgressDenyRule(policy, {
    sourceLabels: identityLabels(source.identity),
    ...(destination.kind === "workload" && destination.identity !== ""
      ? { destinationLabels: identityLabels(destination.identity) }
      : {}),
    destinationAddress: address,
    admits: (services) => servicesAdmit(services, probe.protocol, probe.port),
  });
  if (deny !== undefined)
    return { why: `deny rule ${deny.id} denies ${who} to ${what} on ${on}`, deniedBy: deny.id };
  return { why: `no policy rule lets ${who} open ${what} on ${on}` };
}
