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

export type Routed = Extract<Route, { kind: "routed" }>;

/** A cloud's decision on a flow, and which cloud decided. */
export type CloudDecision = NativeDecision & { readonly cloud?: Cloud };
