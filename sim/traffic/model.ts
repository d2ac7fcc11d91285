/** What a traffic step did (docs/formats.md, "Traffic"): each flow's verdict, and what the clouds logged of it. */
import type { Cloud } from "../../lib/inventory/model.js";
import type { NativeDecision } from "../clouds/traffic.js";
import type { TrafficFlow } from "../traffic-schema.js";
import type { Route } from "./route.js";

export type FlowVerdict = "accepted" | "rejected" | "unreachable";

export interface FlowOutcome {
  /** The flow as the step writes it (`count` filled in). */
  readonly flow: TrafficFlow;
  readonly verdict: FlowVerdict;
  /** What the flow log of each cloud whose interfaces saw the flow says. */
  readonly clouds: Partial<Record<Cloud, "accepted" | "rejected">>;
  /**
   * The cloud that decided and its native rule, when a rule decided; `end`: the source's egress
   * (a flow it rejects, or one to an outside address) or the destination's ingress.
   */
  readonly decidedBy?: {
    readonly cloud: Cloud;
    readonly end: DecidingEnd;
    readonly object?: string;
    readonly rule?: string;
  };
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

export type Routed = Extract<Route, { kind: "routed" }>;

/** Which end's check decided a flow: the source's egress, or the destination's ingress. */
export type DecidingEnd = "source" | "destination";

/** A cloud's decision on a flow, and which cloud (at which end) decided. */
export type CloudDecision = NativeDecision & { readonly cloud?: Cloud; readonly end?: DecidingEnd };
