/**
 * The policy's verdict on one observed connection (docs/flows.md, "Checking flows"): from the
 * compiled intent's grants at the responder, as the destination's ingress decides it. Visibility
 * destinations are checked as if enforced (what they are for), their verdicts marked
 * `onceEnforced`. A connection no allow rule admits is denied by the first deny rule that matches
 * it (deny rules beat allows, docs/policy.md, "Deny rules and egress (v2)"), else by default.
 * Where the initiator's egress is enforced, its egress is checked first (egress-verdict.ts), as its
 * packets meet it: what it does not let out is denied at the source, and the verdict says which
 * end decided (`end`, only then); from a NAT address, when every workload behind it is
 * egress-enforced and decides alike (unknown when they differ). A source whose egress only a
 * visibility ruleset enforces is checked as if it were enforced, `onceEnforced`. Pure.
 */

import { identityLabels, matchingDenyRule } from "../compile/deny-match.js";
import type { DestinationIntent, Grant, Intent } from "../compile/model.js";
import type { WorkloadId } from "../inventory/model.js";
import { cidrContains } from "../net/cidr.js";
import type { Policy, Service } from "../policy/model.js";
import { type EgressSplit, EgressVerdicts, splitText } from "./egress-verdict.js";
import type { ResolvedConnection, ResolvedEndpoint } from "./resolve.js";
import { type Admits, RuleServices } from "./rule-order.js";

/**
 * Which end's rules decided: the source's egress, or the destination's ingress. Present only where
 * the source's egress is enforced; without it, the destination's ingress alone decides.
 */
export type VerdictEnd = "source" | "destination";

export type FlowVerdict =
  | {
      readonly kind: "allowed";
      readonly rule: string;
      readonly onceEnforced: boolean;
      readonly end?: VerdictEnd;
    }
  /** `rule`: the deny rule that matches the connection; null: denied by default (no allow rule admits it). */
  | {
      readonly kind: "denied";
      readonly rule: string | null;
      readonly onceEnforced: boolean;
      readonly end?: VerdictEnd;
    }
  /** The responder's ingress is not segsync's to decide (an unscoped or unmanaged workload, an address outside). */
  | { readonly kind: "not-enforced" }
  | { readonly kind: "unknown"; readonly reason: string };

type Admission = { readonly rule: string } | undefined;

/** IANA protocol → what a policy service names it; icmpv6 is the policy's `icmp` towards IPv6. */
export function protocolName(protocol: number): "tcp" | "udp" | "icmp" | undefined {
  if (protocol === 6) return "tcp";
  if (protocol === 17) return "udp";
  return protocol === 1 || protocol === 58 ? "icmp" : undefined;
}

/** Whether the services admit the connection's protocol and port (`all` admits every protocol). */
export function servicesAdmitFlow(
  services: readonly Service[],
  service: ResolvedConnection["service"],
): boolean {
  const name = protocolName(service.protocol);
  return services.some((each) => {
    if (each.protocol === "all") return true;
    if (each.protocol !== name) return false;
    if (each.protocol === "icmp") return true;
    const port = service.port ?? -1;
    return port >= each.fromPort && port <= each.toPort;
  });
}

/** The intent indexed for verdicts: built once, then one lookup per connection. */
export class FlowVerdicts {
  /** `<workload> <network>` → the destination it is a running member of there. */
  private readonly destinations = new Map<string, DestinationIntent>();
  /** Peer set key → the members its network can see (a member it cannot see is not admitted). */
  private readonly peerMembers = new Map<string, ReadonlySet<WorkloadId>>();
  /** Peer set key → the members its network cannot see at any address (unreachable-source). */
  private readonly unseenMembers = new Map<string, ReadonlySet<WorkloadId>>();

  /** Workload → its identity's labels, for deny rules' `from`. */
  private readonly labels = new Map<WorkloadId, Readonly<Record<string, string>>>();
  private readonly egress: EgressVerdicts;
  private readonly ruleServices: RuleServices;

  /** `<workload> <network>` of the egress the intent enforces, where `preview` checks more (once enforced). */
  private readonly enforcedEgress: ReadonlySet<string> | undefined;

  /**
   * `policy`: the policy the intent was compiled from, whose deny rules name a denial (absent: by
   * default). `preview`: the intent of the policy with its visibility rulesets that enforce egress
   * enforced (once-enforced.ts), whose egress is checked where the intent's is open, `onceEnforced`.
   */
  constructor(
    intent: Intent,
    private readonly policy?: Policy,
    preview?: Intent,
  ) {
    this.ruleServices = new RuleServices(policy);
    this.egress = new EgressVerdicts(preview ?? intent, policy, this.ruleServices);
    this.enforcedEgress =
      preview === undefined
        ? undefined
        : new Set(
            (intent.egress ?? []).flatMap((entry) =>
              entry.members.map((member) => `${member.workload} ${entry.network}`),
            ),
          );
    if (policy?.rulesets.some((ruleset) => ruleset.deny.length > 0))
      for (const report of intent.workloads)
        if (report.identity !== "") this.labels.set(report.workload, identityLabels(report.identity));
    for (const destination of intent.destinations)
      for (const member of destination.members)
        this.destinations.set(`${member.workload} ${destination.network}`, destination);
    for (const peerSet of intent.peerSets) {
      const members = [...peerSet.local, ...peerSet.remote];
      const seen = (member: (typeof members)[number]) => member.addresses.length > 0;
      this.peerMembers.set(peerSet.key, new Set(members.filter(seen).map((member) => member.workload)));
      const unseen = members.filter((member) => !seen(member)).map((member) => member.workload);
      if (unseen.length > 0) this.unseenMembers.set(peerSet.key, new Set(unseen));
    }
  }

  verdictOf(connection: ResolvedConnection): FlowVerdict {
    if (!connection.directionKnown)
      return { kind: "unknown", reason: "direction unknown: the log does not say who opened it" };
    const admits = (services: readonly Service[]) => servicesAdmitFlow(services, connection.service);
    const egress = this.egress.verdictOf(connection, admits);
    if (egress?.kind === "split") return { kind: "unknown", reason: splitText(egress) };
    const onceEnforced = egress !== undefined && this.egressOnceEnforced(connection.initiator);
    if (egress?.kind === "denied") return { ...egress, onceEnforced, end: "source" };
    const ingress = this.ingressVerdictOf(connection);
    if (egress === undefined) return ingress;
    if (ingress.kind === "allowed" || ingress.kind === "denied") return { ...ingress, end: "destination" };
    // Nothing of segsync's at the destination (an address outside, an unenforced workload): the source's egress decided.
    const outside = connection.responder.kind === "ipList" || connection.responder.kind === "outside";
    if (ingress.kind === "not-enforced" || outside)
      return { kind: "allowed", rule: egress.rule, onceEnforced, end: "source" };
    return ingress;
  }

  /** Whether the initiator's egress (a NAT address's: any of its workloads') is enforced only once a visibility ruleset is. */
  private egressOnceEnforced(initiator: ResolvedEndpoint): boolean {
    const enforced = this.enforcedEgress;
    if (enforced === undefined) return false;
    if (initiator.kind === "workload") return !enforced.has(`${initiator.workload} ${initiator.network}`);
    if (initiator.kind !== "nat") return false;
    return initiator.workloads.some(
      (workload) => !initiator.networks.some((network) => enforced.has(`${workload} ${network}`)),
    );
  }

  /** Where the initiator is a NAT address whose workloads' egress differs: each of them and its verdict. */
  egressSplitOf(connection: ResolvedConnection): EgressSplit | undefined {
    if (connection.initiator.kind !== "nat") return undefined;
    const egress = this.egress.verdictOf(connection, (services) =>
      servicesAdmitFlow(services, connection.service),
    );
    return egress?.kind === "split" ? egress : undefined;
  }

  /** The destination's ingress verdict alone. */
  private ingressVerdictOf(connection: ResolvedConnection): FlowVerdict {
    const { responder } = connection;
    if (responder.kind !== "workload") return responderVerdict(responder);
    const destination = this.destinations.get(`${responder.workload} ${responder.network}`);
    if (destination === undefined) return { kind: "not-enforced" };
    const onceEnforced = destination.enforcement === "visibility";
    const admission = this.admission(destination, connection);
    if (typeof admission === "string") return { kind: "unknown", reason: admission };
    return admission === undefined
      ? { kind: "denied", rule: this.denyRuleOf(destination, connection), onceEnforced }
      : { kind: "allowed", rule: admission.rule, onceEnforced };
  }

  /** The deny rule that denies the connection, by policy order; null when none does (denied by default). */
  private denyRuleOf(destination: DestinationIntent, connection: ResolvedConnection): string | null {
    if (this.policy === undefined) return null;
    const { initiator } = connection;
    const labels = initiator.kind === "workload" ? this.labels.get(initiator.workload) : undefined;
    const rule = matchingDenyRule(this.policy, {
      destinationLabels: destination.labels,
      ...(labels === undefined ? {} : { sourceLabels: labels }),
      sourceAddress: initiator.address,
      admits: (services) => servicesAdmitFlow(services, connection.service),
    });
    return rule?.id ?? null;
  }

  /** The first rule that admits the initiator, undefined when none does, or why it cannot be told. */
  private admission(destination: DestinationIntent, connection: ResolvedConnection): Admission | string {
    const grants = destination.grants.filter((grant) =>
      servicesAdmitFlow(grant.services, connection.service),
    );
    const { initiator } = connection;
    // An ipList holding the address admits it natively, whatever the address resolved to.
    const admits: Admits = (services) => servicesAdmitFlow(services, connection.service);
    const listed = grants.filter((grant) => ipListHolds(grant, initiator.address));
    const byAddress = this.firstRule(listed, admits);
    if (initiator.kind === "workload")
      return (
        this.firstRule([...this.grantsFor(grants, initiator.workload), ...listed], admits) ??
        this.unseen(grants, initiator.workload, destination, admits)
      );
    if (initiator.kind === "ambiguous") return byAddress ?? ambiguity(initiator);
    if (initiator.kind !== "nat" || byAddress !== undefined) return byAddress;
    return this.natAdmission(grants, initiator, admits);
  }

  /**
   * A NAT address stands for every workload behind it: admitted when the policy admits every one
   * of them, denied when it admits none; when only some, the connection cannot be told apart.
   */
  private natAdmission(
    grants: readonly Grant[],
    initiator: Extract<ResolvedEndpoint, { kind: "nat" }>,
    admits: Admits,
  ): Admission | string {
    const admitted = initiator.workloads.map((workload) =>
      this.firstRule(this.grantsFor(grants, workload), admits),
    );
    const count = admitted.filter((each) => each !== undefined).length;
    if (count === 0) return undefined;
    if (count === initiator.workloads.length) return admitted[0];
    return `NAT address ${initiator.address} stands for ${initiator.workloads.length} workloads, of which the policy admits ${count}`;
  }

  /**
   * A rule names the source, but the destination's network cannot see it at any address: how the
   * connection got there the policy's networks do not say, so no rule can admit it.
   */
  private unseen(
    grants: readonly Grant[],
    workload: WorkloadId,
    destination: DestinationIntent,
    admits: Admits,
  ): string | undefined {
    const named = grants.filter(
      (grant) => grant.source.kind === "peerSet" && this.unseenMembers.get(grant.source.key)?.has(workload),
    );
    const rule = this.firstRule(named, admits)?.rule;
    if (rule === undefined) return undefined;
    return `rule ${rule} admits the source, but ${destination.network} cannot see ${workload} at any address (unreachable-source): its networks are not connected in the policy`;
  }

  /** The first rule (in policy order) of the grants whose own services admit the connection. */
  private firstRule(grants: readonly Grant[], admits: Admits): Admission {
    const rule = this.ruleServices.firstAdmitting(
      grants.flatMap((grant) => grant.rules),
      admits,
    );
    return rule === undefined ? undefined : { rule };
  }

  private grantsFor(grants: readonly Grant[], workload: WorkloadId): Grant[] {
    return grants.filter(
      (grant) => grant.source.kind === "peerSet" && this.peerMembers.get(grant.source.key)?.has(workload),
    );
  }
}

/** An ipList's grant, or the grant of a part of a source that deny rules split (by exact address), holding the address. */
function ipListHolds(grant: Grant, address: string): boolean {
  const { source } = grant;
  return (
    (source.kind === "ipList" || source.kind === "addresses") &&
    source.cidrs.some((cidr) => cidrContains(cidr, address))
  );
}

function ambiguity(endpoint: Extract<ResolvedEndpoint, { kind: "ambiguous" }>): string {
  const held = endpoint.candidates.map((candidate) => `${candidate.workload} (${candidate.network})`);
  return `ambiguous source: ${endpoint.address} is held by ${held.join(", ")}`;
}

/** A responder that is no workload: nothing segsync enforces, or nothing it can place. */
function responderVerdict(responder: Exclude<ResolvedEndpoint, { kind: "workload" }>): FlowVerdict {
  switch (responder.kind) {
    case "ipList":
      // Only the source's egress can stand between them, checked before (egress-verdict.ts).
      return { kind: "not-enforced" };
    case "ambiguous":
      return { kind: "unknown", reason: ambiguity(responder).replace("source", "destination") };
    case "nat":
      return {
        kind: "unknown",
        reason: `destination ${responder.address} is a NAT address: which workload behind it received the connection cannot be told`,
      };
    case "outside":
      return {
        kind: "unknown",
        reason: `destination ${responder.address} is no workload of the inventory and in no ipList`,
      };
  }
}
