/**
 * `flows check` (docs/flows.md, "Checking flows"): resolved connections grouped by source,
 * destination, service, what was observed and the policy's verdict, with counts and first/last
 * seen; the summary, and the findings (malformed records, unknown directions, ambiguous
 * addresses, NAT addresses whose workloads' egress differs). Memory is one entry per group,
 * whatever the number of connections added.
 */

import type { Intent } from "../compile/model.js";
import type { WorkloadId } from "../inventory/model.js";
import type { Policy } from "../policy/model.js";
import { compareText } from "../util/compare-text.js";
import type { ConnectionReport } from "./connections.js";
import { splitText } from "./egress-verdict.js";
import type { ResolvedConnection, ResolvedEndpoint } from "./resolve.js";
import { type FlowVerdict, FlowVerdicts, protocolName } from "./verdict.js";

export type CheckEndpoint =
  | { readonly kind: "workload"; readonly workload: WorkloadId; readonly identity: string }
  | { readonly kind: "ipList"; readonly name: string; readonly address: string }
  /** `seenAs`: an address that stands for several workloads (a NAT address) or one of several (ambiguous). */
  | { readonly kind: "outside"; readonly address: string; readonly seenAs?: "nat" | "ambiguous" };

export interface CheckGroup {
  readonly source: CheckEndpoint;
  readonly destination: CheckEndpoint;
  /** The responder's `tcp/5432`, `udp/53`, `icmp`; `sctp/N` or `ip/N` (protocol number) otherwise. */
  readonly service: string;
  readonly observed: "accepted" | "rejected";
  readonly connections: number;
  /** ISO 8601 UTC. */
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly verdict: FlowVerdict;
  /** Observed accepted, and the policy denies it: enforcing the policy would break it. */
  readonly wouldBlock: boolean;
}

export interface CheckFinding {
  readonly code: "malformed-record" | "direction-unknown" | "ambiguous-address" | "nat-egress-split";
  readonly subject: string;
  readonly message: string;
}

export interface CheckSummary {
  /** Connections observed (each of both directions, both reporters and both clouds' logs once). */
  readonly connections: number;
  readonly groups: number;
  /** The next five count groups. */
  readonly wouldBlock: number;
  readonly allowed: number;
  readonly denied: number;
  readonly notEnforced: number;
  readonly unknown: number;
  /** Connections whose direction the log does not say. */
  readonly directionUnknown: number;
  /** Malformed records. */
  readonly malformed: number;
}

export interface CheckReport {
  readonly summary: CheckSummary;
  readonly groups: readonly CheckGroup[];
  readonly findings: readonly CheckFinding[];
}

interface GroupEntry {
  readonly group: Omit<CheckGroup, "connections" | "firstSeen" | "lastSeen">;
  connections: number;
  first: number;
  last: number;
}

/** IANA protocol and responder port → `tcp/5432`, `icmp`, `sctp/9000`, `ip/47`. */
export function serviceText(service: ResolvedConnection["service"]): string {
  const name = protocolName(service.protocol);
  if (name === "icmp") return "icmp";
  const protocol = name ?? (service.protocol === 132 ? "sctp" : "ip");
  if (protocol === "ip" || service.port === undefined) return `ip/${service.protocol}`;
  return `${protocol}/${service.port}`;
}

function endpointKey(endpoint: CheckEndpoint): string {
  if (endpoint.kind === "workload") return endpoint.workload;
  return endpoint.kind === "ipList" ? `ipList:${endpoint.name} ${endpoint.address}` : endpoint.address;
}

/** Groups connections as they come; `report()` gives the result at any time. */
export class FlowCheck {
  private readonly verdicts: FlowVerdicts;
  private readonly identities: ReadonlyMap<WorkloadId, string>;
  private readonly groups = new Map<string, GroupEntry>();
  private readonly findings = new Map<string, CheckFinding>();
  private connections = 0;
  private directionUnknown = 0;
  private malformed = 0;
  private malformedListed = 0;

  /**
   * `intent`: compiled from `policy` and the inventory the connections were resolved against; the
   * policy names the deny rule that denies a connection (absent: "denied by default"); `preview`
   * is its intent with the visibility rulesets that enforce egress enforced (lib/flows/once-enforced.ts).
   */
  constructor(intent: Intent, policy?: Policy, preview?: Intent) {
    this.verdicts = new FlowVerdicts(intent, policy, preview);
    this.identities = new Map(intent.workloads.map((report) => [report.workload, report.identity]));
  }

  add(connection: ResolvedConnection): void {
    this.connections++;
    const verdict = this.verdicts.verdictOf(connection);
    const source = this.endpoint(connection.initiator);
    const destination = this.endpoint(connection.responder);
    const service = serviceText(connection.service);
    const observed = connection.action === "accept" ? "accepted" : "rejected";
    const key = JSON.stringify([endpointKey(source), endpointKey(destination), service, observed, verdict]);
    const entry = this.groups.get(key);
    if (entry !== undefined) {
      entry.connections++;
      entry.first = Math.min(entry.first, connection.first);
      entry.last = Math.max(entry.last, connection.last);
    } else {
      const wouldBlock = observed === "accepted" && verdict.kind === "denied";
      const group = { source, destination, service, observed, verdict, wouldBlock } as const;
      this.groups.set(key, { group, connections: 1, first: connection.first, last: connection.last });
    }
    if (!connection.directionKnown) this.directionUnknownFound(source, destination, service);
    for (const endpoint of [connection.initiator, connection.responder])
      if (endpoint.kind === "ambiguous") this.ambiguousFound(endpoint);
    if (verdict.kind === "unknown" && connection.initiator.kind === "nat") this.splitFound(connection);
  }

  /** A NAT address whose workloads' egress differs on the connection: per address and service, each named. */
  private splitFound(connection: ResolvedConnection): void {
    const split = this.verdicts.egressSplitOf(connection);
    if (split === undefined) return;
    const subject = `${split.address} → ${connection.responder.address} ${serviceText(connection.service)}`;
    this.findings.set(`split ${subject}`, { code: "nat-egress-split", subject, message: splitText(split) });
  }

  /** What reading the logs found besides connections: malformed records, each with its object and line. */
  addReading(report: Pick<ConnectionReport, "malformed" | "malformedExamples">): void {
    this.malformed += report.malformed;
    for (const { origin, reason } of report.malformedExamples) {
      const subject = `${origin.object}:${origin.line}`;
      this.findings.set(`malformed ${subject}`, { code: "malformed-record", subject, message: reason });
    }
    this.malformedListed += report.malformedExamples.length;
  }

  report(): CheckReport {
    const groups = [...this.groups.values()].map(
      // In the order of the JSON contract (docs/flows.md, "Checking flows").
      ({ group, connections, first, last }): CheckGroup => ({
        source: group.source,
        destination: group.destination,
        service: group.service,
        observed: group.observed,
        connections,
        firstSeen: new Date(first).toISOString(),
        lastSeen: new Date(last).toISOString(),
        verdict: group.verdict,
        wouldBlock: group.wouldBlock,
      }),
    );
    groups.sort(compareGroups);
    const count = (kind: FlowVerdict["kind"]) => groups.filter((group) => group.verdict.kind === kind).length;
    const summary: CheckSummary = {
      connections: this.connections,
      groups: groups.length,
      wouldBlock: groups.filter((group) => group.wouldBlock).length,
      allowed: count("allowed"),
      denied: count("denied"),
      notEnforced: count("not-enforced"),
      unknown: count("unknown"),
      directionUnknown: this.directionUnknown,
      malformed: this.malformed,
    };
    const findings = [...this.findings.values()];
    const unlisted = this.malformed - this.malformedListed;
    if (unlisted > 0) {
      const message = `${unlisted} more malformed records, not listed`;
      findings.push({ code: "malformed-record", subject: "more", message });
    }
    return { summary, groups, findings };
  }

  private endpoint(endpoint: ResolvedEndpoint): CheckEndpoint {
    switch (endpoint.kind) {
      case "workload":
        return {
          kind: "workload",
          workload: endpoint.workload,
          identity: this.identities.get(endpoint.workload) ?? "",
        };
      case "ipList":
        return { kind: "ipList", name: endpoint.ipList, address: endpoint.address };
      case "outside":
        return { kind: "outside", address: endpoint.address };
      default:
        return { kind: "outside", address: endpoint.address, seenAs: endpoint.kind };
    }
  }

  private directionUnknownFound(source: CheckEndpoint, destination: CheckEndpoint, service: string): void {
    this.directionUnknown++;
    const subject = `${endpointKey(source)} - ${endpointKey(destination)} ${service}`;
    this.findings.set(`direction ${subject}`, {
      code: "direction-unknown",
      subject,
      message:
        "the log does not say which side opened these connections and no port tells: never counted as blocked",
    });
  }

  private ambiguousFound(endpoint: Extract<ResolvedEndpoint, { kind: "ambiguous" }>): void {
    const held = endpoint.candidates.map((candidate) => `${candidate.workload} (${candidate.network})`);
    this.findings.set(`ambiguous ${endpoint.address}`, {
      code: "ambiguous-address",
      subject: endpoint.address,
      message: `held by ${held.join(", ")}, and nothing in the log tells which`,
    });
  }
}

/** Would-block first, then by source, destination, service, observed. */
function compareGroups(a: CheckGroup, b: CheckGroup): number {
  return (
    Number(b.wouldBlock) - Number(a.wouldBlock) ||
    compareText(endpointKey(a.source), endpointKey(b.source)) ||
    compareText(endpointKey(a.destination), endpointKey(b.destination)) ||
    compareText(a.service, b.service) ||
    compareText(a.observed, b.observed)
  );
}
