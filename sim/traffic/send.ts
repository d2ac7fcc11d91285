/**
 * The `traffic` step (docs/formats.md, "Traffic"): each flow routed (route.ts), decided by the
 * simulated clouds' own rules as they are now (the source's cloud on what leaves it, then the
 * destination's on what arrives, each with its evaluator on its native state: never the policy's
 * intent), and written to the flow logs of the clouds whose interfaces saw it (flow-logs.ts).
 */
import type { NetworkTopology } from "../../lib/compile/address-view.js";
import { cloudOfId } from "../../lib/inventory/ids.js";
import type { Cloud } from "../../lib/inventory/model.js";
import { simulatorOf } from "../clouds/registry.js";
import type { TrafficView } from "../clouds/traffic.js";
import type { SimulatedClouds } from "../simulated-clouds.js";
import { type TrafficFlow, type TrafficSpec, trafficService } from "../traffic-schema.js";
import { decide } from "./decide.js";
import { resolveFlows, type TrafficEndpoint } from "./endpoints.js";
import type { FlowLogs } from "./flow-logs.js";
import { ConnectionTimes, logFlow } from "./log-flow.js";
import type { TrafficOutcome } from "./model.js";
import { routeOf } from "./route.js";

export type { FlowOutcome, FlowVerdict, TrafficOutcome } from "./model.js";

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
    const decided = decide(route, service, (cloud) => viewOf(clouds, views, cloud));
    return logFlow(logs, { flow, route, service, ...decided }, timing);
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
