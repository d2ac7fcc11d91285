/**
 * What `segsync explain` prints about one flow (docs/explain.md): the source's
 * end (its egress), the destination's end (its ingress), and the policy's and the clouds' verdicts
 * where they differ. Lines before wrapping and shortening.
 */
import { CLOUD_NAMES, type Cloud } from "../lib/inventory/model.js";
import type { SourceEnd } from "./flow-source.js";
import {
  type DestinationEnd,
  type FlowExplanation,
  nativeDisagreement,
  sourceDisagreement,
} from "./flows.js";

/**
 * What closes a flow natively where segsync enforces egress (docs/clouds.md, per cloud): AWS
 * security groups only allow, so what no outbound rule admits stays in once the allow-all is gone.
 */
const EGRESS_CLOSED: Readonly<Record<Cloud, string>> = {
  aws: "the owned groups' allow-all egress is revoked",
  azure: "segsync-deny-all-outbound at 4096 closes the rest",
  gcp: "segsync's deny-all egress for the tag closes the rest",
};

/** The source's end: one line where egress is open; else the policy's reason and the native rule. */
export function sourceLines(source: SourceEnd | undefined): string[] {
  if (source === undefined) return [];
  if (source.egress === "open") return ["source: egress open"];
  const lines =
    source.verdict === "allowed"
      ? [`source: egress enforced, opened by rule ${source.rules.join(", ")}`]
      : [`source: egress enforced, closed: ${source.why ?? "no policy rule opens it"}`];
  if (source.cloud === undefined || source.network === undefined || source.destinationAddress === undefined)
    return lines;
  const cloud = CLOUD_NAMES[source.cloud];
  const where = `(in ${source.network}, to ${source.destinationAddress})`;
  lines.push(
    source.native
      ? `source native: ${cloud} ${source.native.object}: ${source.native.rule} ${where}`
      : `source native: no ${cloud} rule lets it out ${where}: ${EGRESS_CLOSED[source.cloud]}`,
  );
  const native = sourceDisagreement(source);
  if (native !== undefined)
    lines.push(
      `! warning: the policy ${source.verdict === "allowed" ? "opens" : "closes"} this flow at the source but ${cloud} ${native === "allowed" ? "lets it out" : "does not let it out"}`,
    );
  return lines;
}

/** The destination's end, as explain always told it: the rules, why, the native rule. */
export function destinationLines(flow: FlowExplanation): string[] {
  const end: DestinationEnd = flow.destination ?? flow;
  if (end.outside !== undefined)
    return [`destination: ${end.outside} is outside the estate: only the source's egress decides`];
  const lines: string[] = [];
  if (end.rules.length > 0) lines.push(`policy: allowed by rule ${end.rules.join(", ")}`);
  if (end.why !== undefined) lines.push(`why: ${end.why}`);
  if (end.cloud !== undefined && end.network !== undefined) {
    const seen = end.sourceAddress === undefined ? "" : `, seen from ${end.sourceAddress}`;
    lines.push(
      end.native
        ? `native: ${CLOUD_NAMES[end.cloud]} ${end.native.object}: ${end.native.rule} (in ${end.network}${seen})`
        : `native: no ${CLOUD_NAMES[end.cloud]} rule admits it (in ${end.network}${seen})`,
    );
  }
  const native = nativeDisagreement(flow);
  if (native !== undefined && end.cloud !== undefined) {
    lines.push(`policy verdict: ${end.verdict}; native verdict: ${native}`);
    lines.push(`! warning: ${disagreement(end.verdict, CLOUD_NAMES[end.cloud], end)}`);
  }
  return lines;
}

/** Why policy and cloud disagree, as far as explain can tell. */
function disagreement(
  policy: "allowed" | "denied",
  cloud: string,
  flow: { readonly sourceAddress?: string; readonly sourceVia?: string },
): string {
  const address = flow.sourceAddress ?? "its address";
  const shared =
    flow.sourceVia === "nat"
      ? `: ${address} is a NAT address shared by every workload behind it, so ${cloud} cannot tell them apart`
      : "";
  return policy === "denied"
    ? `the policy denies this flow but ${cloud} admits traffic from ${address}${shared}`
    : `the policy allows this flow but ${cloud} does not admit traffic from ${address}${shared}`;
}
