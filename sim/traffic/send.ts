/**
 * The `traffic` step (docs/formats.md, "Traffic"): each flow routed (route.ts), decided by the
 * simulated clouds' own rules as they are now (the destination's cloud, with its evaluator, on its
 * native state: never the policy's intent), and written to the flow logs of the clouds whose
 * interfaces saw it (flow-logs.ts).
 */
import type { NetworkTopology } from "../../lib/compile/address-view.js";
import { cloudOfId } from "../../lib/inventory/ids.js";
import type { Cloud } from "../../lib/inventory/model.js";
import { simulatorOf } from "../clouds/registry.js";
import type { Counters, NativeDecision, TrafficView } from "../clouds/traffic.js";
import type { SimulatedClouds } from "../simulated-clouds.js";
import {
  type TrafficFlow,
  type TrafficService,
  type TrafficSpec,
  trafficService,
} from "../traffic-schema.js";
import { resolveFlows, type TrafficEndpoint } from "./endpoints.js";
import type { FlowLogs } from "./flow-logs.js";
import { type Route, routeOf } from "./route.js";

export type FlowVerdict = "accepted" | "rejected" | "unreachable";

export interface FlowOutcome {
  /** The flow as the step writes it (`count` filled in). */
  readonly flow: TrafficFlow;
  readonly verdict: FlowVerdict;
  /** What the flow log of each cloud whose interfaces saw the flow says. */
  readonly clouds: Partial<Record<Cloud, "accepted" | "rejected">>;
  /** The cloud that decided (the destination's) and its native rule, when a rule decided. */
  readonly decidedBy?: { readonly cloud: Cloud; readonly object?: string; readonly rule?: string };
  /** The address the destination sees the source from, and the one the source sends to. */
  readonly sourceAddress?: string;
  readonly destinationAddress?: string;
  /** Why it is unreachable. */
  readonly why?: string;
}

export interface TrafficOutcome {
  readonly flows: readonly FlowOutcome[];
  /** Connections (each flow's `count`) by verdict. */
  readonly connections: Readonly<Record<FlowVerdict, number>>;
  /** One per unreachable flow: nothing was sent, no cloud logged it. */
  readonly findings: readonly { readonly code: "unreachable-flow"; readonly message: string }[];
}

type Views = Map<Cloud, TrafficView<unknown>>;

/** Each cloud's interfaces and rules, read from its native state once per step, when a flow needs them. */
function viewOf(clouds: SimulatedClouds, views: Views, cloud: Cloud): TrafficView<unknown> {
  let view = views.get(cloud);
  if (view === undefined) {
    view = simulatorOf(cloud).traffic.view(clouds.nativeStates(cloud));
    views.set(cloud, view);
  }
  return view;
}

function nicsOf(clouds: SimulatedClouds, views: Views, end: TrafficEndpoint) {
  if (end.kind === "outside") return [];
  const id = end.workload.id;
  return viewOf(clouds, views, cloudOfId(id)).nicsOf(id);
}

type Routed = Extract<Route, { kind: "routed" }>;
type CloudDecision = NativeDecision & { readonly cloud?: Cloud };

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
function decide(
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
export function sendTraffic(
  clouds: SimulatedClouds,
  topology: NetworkTopology,
  spec: TrafficSpec,
  logs: FlowLogs = clouds.flowLogs,
): TrafficOutcome {
  const flows = resolveFlows(clouds, spec);
  const views: Views = new Map();
  const total = spec.reduce((sum, flow) => sum + flow.count, 0);
  const timing = new ConnectionTimes(clouds.clock.now().getTime(), total);
  const outcomes = flows.map(({ index, from, to }) => {
    const flow = spec[index] as TrafficFlow;
    const ends = { from, to, fromNics: nicsOf(clouds, views, from), toNics: nicsOf(clouds, views, to) };
    const route = routeOf(ends, topology);
    if (route.kind === "unreachable")
      return { flow, verdict: "unreachable" as const, clouds: {}, why: route.why };
    const service = trafficService(flow.service);
    const decision = decide(route, service, (cloud) => viewOf(clouds, views, cloud));
    return logFlow(logs, { flow, route, service, decision }, timing);
  });
  const connections = { accepted: 0, rejected: 0, unreachable: 0 };
  for (const outcome of outcomes) connections[outcome.verdict] += outcome.flow.count;
  const findings = outcomes.flatMap((outcome) =>
    outcome.verdict === "unreachable"
      ? [
          {
            code: "unreachable-flow" as const,
            message: `${outcome.flow.from} → ${outcome.flow.to} ${outcome.flow.service}: ${outcome.why}`,
          },
        ]
      : [],
  );
  return { flows: outcomes, connections, findings };
}

/** The connections of a step spread over its minute, in the order they are sent. */
class ConnectionTimes {
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

interface DecidedFlow {
  readonly flow: TrafficFlow;
  readonly route: Routed;
  readonly service: TrafficService;
  readonly decision: CloudDecision;
}

/**
 * Each connection of the flow on the interfaces that saw it: the destination's (received, as its
 * cloud decided), and the source's (sent) when the connection was accepted. A source's interface
 * would also log the packets of a connection the destination rejected as sent (its egress allows
 * them); they are left out, so that every log says what happened to the connection (docs/flows.md).
 */
function logFlow(logs: FlowLogs, decided: DecidedFlow, timing: ConnectionTimes): FlowOutcome {
  const { flow, route, service, decision } = decided;
  const { accepted } = decision;
  const { protocol, port } = service;
  const request = accepted ? REQUEST[protocol] : protocol === "tcp" ? REJECTED_TCP : REQUEST[protocol];
  const reply = accepted ? REPLY[protocol] : NOTHING;
  const logged: Partial<Record<Cloud, "accepted" | "rejected">> = {};
  const verdict = accepted ? "accepted" : "rejected";
  for (let i = 0; i < flow.count; i++) {
    const sourcePort = protocol === "icmp" ? undefined : logs.nextSourcePort();
    const common = { protocol, accepted, ...timing.next(), request, reply };
    const { destinationNic: to, sourceNic: from } = route;
    if (to !== undefined) {
      const cloud = cloudOfId(to.workload);
      logged[cloud] = verdict;
      logs.record(cloud, {
        ...common,
        nic: to,
        direction: "ingress",
        local: { address: to.privateIp, ...(port === undefined ? {} : { port }) },
        remote: { address: route.seenSource, ...(sourcePort === undefined ? {} : { port: sourcePort }) },
        ...(decision.by === undefined ? {} : { by: decision.by }),
      });
    }
    if (from !== undefined && accepted) {
      const cloud = cloudOfId(from.workload);
      logged[cloud] = verdict;
      logs.record(cloud, {
        ...common,
        nic: from,
        direction: "egress",
        local: { address: from.privateIp, ...(sourcePort === undefined ? {} : { port: sourcePort }) },
        remote: { address: route.target, ...(port === undefined ? {} : { port }) },
      });
    }
  }
  const by = decision.by;
  return {
    flow,
    verdict,
    clouds: logged,
    ...(decision.cloud === undefined
      ? {}
      : {
          decidedBy: {
            cloud: decision.cloud,
            ...(by === undefined
              ? {}
              : { object: by.object, ...(by.rule === undefined ? {} : { rule: by.rule }) }),
          },
        }),
    sourceAddress: route.seenSource,
    destinationAddress: route.target,
  };
}
