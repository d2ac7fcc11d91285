/**
 * A decided flow's connections on the interfaces that saw them (docs/flows.md, "Simulated flow
 * logs"): each with its own source port and time within the step's minute, and fixed counters.
 */
import { cloudOfId } from "../../lib/inventory/ids.js";
import type { Cloud } from "../../lib/inventory/model.js";
import type { Counters } from "../clouds/traffic.js";
import type { TrafficFlow, TrafficService } from "../traffic-schema.js";
import type { FlowLogs } from "./flow-logs.js";
import type { CloudDecision, FlowOutcome, Routed } from "./model.js";

export class ConnectionTimes {
  private sent = 0;
  private readonly spacing: number;

  constructor(
    private readonly from: number,
    total: number,
  ) {
    this.spacing = Math.max(2, Math.min(1000, Math.floor(50_000 / Math.max(1, total))));
  }

  next(): { start: number; end: number } {
    const start = this.from + this.sent++ * this.spacing;
    return { start, end: start + Math.floor(this.spacing / 2) };
  }
}

const REQUEST: Readonly<Record<TrafficService["protocol"], Counters>> = {
  tcp: { packets: 5, bytes: 420 },
  udp: { packets: 1, bytes: 72 },
  icmp: { packets: 1, bytes: 84 },
};
const REPLY: Readonly<Record<TrafficService["protocol"], Counters>> = {
  tcp: { packets: 4, bytes: 1230 },
  udp: { packets: 1, bytes: 128 },
  icmp: { packets: 1, bytes: 84 },
};
/** A rejected TCP connection is its opening SYN alone. */
const REJECTED_TCP: Counters = { packets: 1, bytes: 60 };
const NOTHING: Counters = { packets: 0, bytes: 0 };

export interface DecidedFlow {
  readonly flow: TrafficFlow;
  readonly route: Routed;
  readonly service: TrafficService;
  /** What decided the flow (the first check that rejected, else the last that decided). */
  readonly decision: CloudDecision;
  /** The source's own egress decision, when the source is a workload of the estate. */
  readonly sourceEgress?: CloudDecision;
}

/**
 * Which interfaces logged a flow, and what the source's said: the destination's unless the
 * source's egress rejected it; the source's always, as sent when its egress let it out (also when
 * the destination then rejected it), as rejected when its egress did.
 */
function loggingEnds(decided: DecidedFlow): { destination: boolean; source: boolean; sent: boolean } {
  const { accepted, end } = decided.decision;
  const rejectedLeaving = !accepted && end === "source";
  return {
    destination: decided.route.destinationNic !== undefined && !rejectedLeaving,
    source: decided.route.sourceNic !== undefined,
    sent: !rejectedLeaving,
  };
}

/**
 * Each connection of the flow on the interfaces that saw it: the destination's (received, as its
 * cloud decided) unless the source's egress rejected it, and the source's (sent, as its egress
 * decided). A connection the destination rejected is on the source's interface as sent and
 * unanswered, as real clouds log it: the request at the destination's end says what happened to
 * it (docs/flows.md, "Connections").
 */
export function logFlow(logs: FlowLogs, decided: DecidedFlow, timing: ConnectionTimes): FlowOutcome {
  const { flow, route, service, decision } = decided;
  const { accepted } = decision;
  const { protocol, port } = service;
  const request = accepted ? REQUEST[protocol] : protocol === "tcp" ? REJECTED_TCP : REQUEST[protocol];
  const reply = accepted ? REPLY[protocol] : NOTHING;
  const logged: Partial<Record<Cloud, "accepted" | "rejected">> = {};
  const verdict = accepted ? "accepted" : "rejected";
  const ends = loggingEnds(decided);
  const sourceBy = decided.sourceEgress?.by;
  for (let i = 0; i < flow.count; i++) {
    const sourcePort = protocol === "icmp" ? undefined : logs.nextSourcePort();
    const common = { protocol, accepted, ...timing.next(), request, reply };
    const { destinationNic: to, sourceNic: from } = route;
    if (to !== undefined && ends.destination) {
      const cloud = cloudOfId(to.workload);
      logged[cloud] = verdict;
      logs.record(cloud, {
        ...common,
        nic: to,
        direction: "ingress",
        local: { address: to.privateIp, ...(port === undefined ? {} : { port }) },
        remote: { address: route.seenSource, ...(sourcePort === undefined ? {} : { port: sourcePort }) },
        ...(decision.end !== "destination" || decision.by === undefined ? {} : { by: decision.by }),
      });
    }
    if (from !== undefined && ends.source) {
      const cloud = cloudOfId(from.workload);
      logged[cloud] = verdict;
      logs.record(cloud, {
        ...common,
        nic: from,
        accepted: ends.sent,
        direction: "egress",
        local: { address: from.privateIp, ...(sourcePort === undefined ? {} : { port: sourcePort }) },
        remote: { address: route.target, ...(port === undefined ? {} : { port }) },
        ...(sourceBy === undefined ? {} : { by: sourceBy }),
      });
    }
  }
  return { flow, verdict, clouds: logged, ...decidedBy(decision), ...addresses(route) };
}

/** The cloud, end and native rule that decided, when a cloud did. */
function decidedBy(decision: CloudDecision): Pick<FlowOutcome, "decidedBy"> {
  const { cloud, end, by } = decision;
  if (cloud === undefined || end === undefined) return {};
  const rule =
    by === undefined ? {} : { object: by.object, ...(by.rule === undefined ? {} : { rule: by.rule }) };
  return { decidedBy: { cloud, end, ...rule } };
}

function addresses(route: Routed): Pick<FlowOutcome, "sourceAddress" | "destinationAddress"> {
  return { sourceAddress: route.seenSource, destinationAddress: route.target };
}
