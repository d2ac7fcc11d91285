/**
 * The demo's policy v2 part (docs/policy.md, "Deny rules and egress (v2)"): the v2 example policy
 * (boundaries first for dev, the shop's enforced egress) applied to the same estate, then the
 * first traffic step of the v2 example scenario, each flow decided at both ends by its own cloud's
 * evaluator on the rules segsync wrote: the source's egress and the destination's ingress.
 */
import type { NativeMatch, Reachability } from "../../lib/clouds/provider.js";
import { NetworkTopology, reachFrom, viewFrom } from "../../lib/compile/address-view.js";
import { identityLabels, matchingDenyRule } from "../../lib/compile/deny-match.js";
import type { Intent } from "../../lib/compile/model.js";
import { cloudOfId } from "../../lib/inventory/ids.js";
import { CLOUD_NAMES, type Cloud, type Workload } from "../../lib/inventory/model.js";
import type { Policy } from "../../lib/policy/model.js";
import { servicesAdmit } from "../../lib/policy/services.js";
import type { Step } from "../../sim/scenario-schema.js";
import { Simulation } from "../../sim/simulation.js";
import { type TrafficFlow, type TrafficService, trafficService } from "../../sim/traffic-schema.js";
import { loadSimulationInputs } from "../inputs.js";
import type { CliIo } from "../io.js";
import { describeApplied } from "../narrate.js";

export interface PolicyV2Files {
  readonly policy: string;
  readonly estate: string;
  /** A scenario whose first traffic step holds the flows to show. */
  readonly scenario: string;
}

interface Say {
  readonly say: (text: string, by?: string) => void;
  readonly heading: (text: string) => void;
}

/** What the part needs to decide a flow: the clouds' evaluators, the intent, the running workloads. */
interface Decider {
  readonly policy: Policy;
  readonly intent: Intent;
  readonly reach: Record<Cloud, Reachability>;
  readonly topology: NetworkTopology;
  readonly workloads: ReadonlyMap<string, Workload>;
}

/** The part, narrated; false when a step of it failed (said on stderr). */
export async function policyV2(files: PolicyV2Files, narrator: Say, io: CliIo): Promise<boolean> {
  const inputs = await loadSimulationInputs(files, io);
  const step = inputs?.scenario?.steps.find((s): s is Extract<Step, { traffic: unknown }> => "traffic" in s);
  if (inputs === undefined || step === undefined) {
    if (inputs !== undefined) io.err(`${files.scenario}: the demo needs a traffic step\n`);
    return false;
  }
  narrator.heading("5. Policy v2: boundaries first for dev, and the shop's egress enforced");
  const simulation = Simulation.start(inputs.policy, inputs.estate);
  const result = await simulation.fullSync();
  const failed = Object.keys(result.failures).length > 0;
  narrator.say(`The v2 policy applied to the same estate (applied: ${describeApplied(result)}).`, "  ");
  narrator.say("Each flow, at the source's egress and the destination's ingress, in its cloud:", "  ");
  const decider: Decider = {
    policy: inputs.policy,
    intent: result.intent,
    reach: await simulation.reachability(),
    topology: new NetworkTopology(inputs.policy.networks),
    workloads: new Map(runningWorkloads(simulation)),
  };
  for (const flow of step.traffic) narrator.say(flowLines(decider, flow).join("\n"), "  ");
  return !failed;
}

function runningWorkloads(simulation: Simulation): [string, Workload][] {
  return simulation.clouds
    .workloads()
    .filter((w) => w.state === "running")
    .map((w) => [
      w.id,
      {
        id: w.id,
        state: "running",
        nics: [
          { network: w.network, privateIp: w.privateIp, ...(w.publicIp ? { publicIp: w.publicIp } : {}) },
        ],
        tags: w.tags,
      },
    ]);
}

/** One end's verdict: the native rule that lets it through, or undefined when its cloud blocks it. */
interface End {
  readonly cloud: Cloud;
  readonly match: NativeMatch | undefined;
  /** Egress that no enforced ruleset covers: the cloud's own default lets it out. */
  readonly open?: boolean;
}

/** The flow's headline and one line per end that is a workload. */
function flowLines(decider: Decider, flow: TrafficFlow): string[] {
  const service = trafficService(flow.service);
  const source = decider.workloads.get(flow.from);
  const destination = decider.workloads.get(flow.to);
  const target =
    source && destination ? reachFrom(networkOf(source), destination, decider.topology) : undefined;
  const seen = source && destination ? viewFrom(networkOf(destination), source, decider.topology) : undefined;
  const egress = source ? egressEnd(decider, source, target?.addresses[0] ?? flow.to, service) : undefined;
  const ingress = destination
    ? ingressEnd(decider, destination, seen?.addresses[0] ?? flow.from, service)
    : undefined;
  const lines = [`${flow.from} → ${flow.to} ${flow.service}: ${headline(decider, flow, egress, ingress)}`];
  if (egress) lines.push(`  source, ${endText(egress, "egress")}`);
  if (ingress) lines.push(`  destination, ${endText(ingress, "ingress")}`);
  return lines;
}

function headline(decider: Decider, flow: TrafficFlow, egress?: End, ingress?: End): string {
  if (egress && egress.match === undefined) return "blocked at the source by its egress";
  if (ingress && ingress.match === undefined) {
    const denied = denyRuleOf(decider, flow);
    return denied ? `denied by deny rule ${denied}` : "blocked at the destination";
  }
  return egress && ingress ? "allowed at both ends" : "allowed";
}

function endText(end: End, direction: "egress" | "ingress"): string {
  const cloud = CLOUD_NAMES[end.cloud];
  if (end.open) return `${cloud}: egress open (not enforced)`;
  if (end.match === undefined) return `${cloud}: blocked (no ${direction} rule allows it)`;
  return `${cloud}: ${end.match.object}: ${end.match.rule}`;
}

const networkOf = (workload: Workload) => workload.nics[0]?.network ?? "";

function egressEnd(decider: Decider, source: Workload, address: string, service: TrafficService): End {
  const cloud = cloudOfId(source.id);
  const probe = { workload: source.id, network: networkOf(source), destinationAddress: address, ...service };
  const enforced = (decider.intent.egress ?? []).some((entry) =>
    entry.members.some((member) => member.workload === source.id),
  );
  return { cloud, match: decider.reach[cloud].explainEgress(probe), ...(enforced ? {} : { open: true }) };
}

function ingressEnd(decider: Decider, destination: Workload, address: string, service: TrafficService): End {
  const cloud = cloudOfId(destination.id);
  const probe = {
    workload: destination.id,
    network: networkOf(destination),
    sourceAddress: address,
    ...service,
  };
  return { cloud, match: decider.reach[cloud].explain(probe) };
}

/** The deny rule that takes the flow out at its destination, by the two workloads' identities. */
function denyRuleOf(decider: Decider, flow: TrafficFlow): string | undefined {
  const identity = (id: string) => decider.intent.workloads.find((w) => w.workload === id)?.identity;
  const destination = identity(flow.to);
  if (destination === undefined) return undefined;
  const source = identity(flow.from);
  const { protocol, port } = trafficService(flow.service);
  return matchingDenyRule(decider.policy, {
    destinationLabels: identityLabels(destination),
    ...(source === undefined ? { sourceAddress: flow.from } : { sourceLabels: identityLabels(source) }),
    admits: (services) => servicesAdmit(services, protocol, port ?? 0),
  })?.id;
}
