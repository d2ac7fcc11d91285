/**
 * The round trip of the simulated flow logs: a traffic step's files read back with lib/flows
 * (parseFlowLog → connectRecords → resolveConnection against the clouds' discovered inventory),
 * and what each cloud's log should say according to the step's outcome.
 */
import { Readable } from "node:stream";
import { connectRecords } from "../../lib/flows/connections.js";
import type { FlowRecord, ParsedRecord } from "../../lib/flows/model.js";
import { parseFlowLog } from "../../lib/flows/parsers/index.js";
import { instanceName } from "../../lib/flows/reporter-names.js";
import { AddressIndex, type ResolvedEndpoint, resolveConnection } from "../../lib/flows/resolve.js";
import { cloudOfId } from "../../lib/inventory/ids.js";
import { CLOUDS, type Cloud, type Inventory } from "../../lib/inventory/model.js";
import { cidrContains } from "../../lib/net/cidr.js";
import { simulatedMacAddress } from "../../sim/clouds/azure/flow-log.js";
import type { Simulation } from "../../sim/simulation.js";
import type { CloudLogFile } from "../../sim/traffic/flow-logs.js";
import type { TrafficOutcome } from "../../sim/traffic/send.js";
import { type TrafficService, trafficService } from "../../sim/traffic-schema.js";

const SUB = "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f";
/** The example estate's workloads the traffic tests send between. */
export const EX = {
  web1: "aws:111111111111:us-east-1:i-0a00000000000001",
  web2: "aws:111111111111:us-east-1:i-0a00000000000002",
  api1: "aws:111111111111:us-east-1:i-0a00000000000003",
  db1: "aws:111111111111:us-east-1:i-0a00000000000004",
  prometheus: "aws:111111111111:us-east-1:i-0a00000000000005",
  blogWebDev: "aws:222222222222:us-west-2:i-0b00000000000002",
  api2: `azure:${SUB}:rg-shop-prod:vm-api-2`,
  batch: `azure:${SUB}:rg-shop-prod:vm-batch-1`,
  blogWeb: `azure:${SUB}:rg-blog-prod:vm-blog-web-1`,
  db2: "gcp:shop-prod:us-central1-a:shop-db-2",
  web3: "gcp:shop-prod:us-central1-a:shop-web-3",
};

const PROTOCOLS: Readonly<Record<TrafficService["protocol"], number>> = { tcp: 6, udp: 17, icmp: 1 };

/** One connection as a test compares it: its ends (a workload id or an address), service and action. */
export interface ConnectionKey {
  readonly from: string;
  readonly to: string;
  readonly protocol: number;
  readonly port?: number;
  readonly action: "accept" | "reject";
}

export function keyText(key: ConnectionKey): string {
  return `${key.from} → ${key.to} ${key.protocol}/${key.port ?? "-"} ${key.action}`;
}

/** The records of one cloud's files, parsed as `flows check` reads them (the format told from the text). */
async function* recordsOf(files: readonly CloudLogFile[]): AsyncGenerator<ParsedRecord> {
  for (const file of files) {
    const object = { name: `${file.cloud}/${file.name}`, open: async () => Readable.from([file.text]) };
    yield* parseFlowLog(object);
  }
}

/** Every flow record of the files, as the parsers give them (malformed ones left out: readBack counts them). */
export async function parsedRecords(files: readonly CloudLogFile[]): Promise<FlowRecord[]> {
  const records: FlowRecord[] = [];
  for await (const parsed of recordsOf(files)) if (parsed.kind === "record") records.push(parsed.record);
  return records;
}

/**
 * Each reporter's own private addresses, by the id its cloud's log names it by: an ENI id, an
 * Azure NIC's (simulated) MAC address, a GCP instance's path.
 */
export function reporterAddresses(inventory: Inventory): Map<string, Set<string>> {
  const own = new Map<string, Set<string>>();
  const add = (id: string, address: string) => own.set(id, new Set([...(own.get(id) ?? []), address]));
  for (const workload of inventory.workloads) {
    const instance = instanceName(workload.id);
    for (const nic of workload.nics) {
      if (instance !== undefined) add(instance, nic.privateIp);
      if (nic.id === undefined) continue;
      add(workload.id.startsWith("azure:") ? simulatedMacAddress(nic.id) : nic.id, nic.privateIp);
    }
  }
  return own;
}

/** The inventory the simulated clouds' providers discover, as `flows check --estate` resolves against. */
export async function discoveredInventory(simulation: Simulation): Promise<Inventory> {
  const connections = simulation.clouds.connections();
  const labels = simulation.policy.labels;
  const found = await Promise.all(
    CLOUDS.map((cloud) =>
      (
        simulation.providers[cloud].discover as (
          c: unknown,
          l: typeof labels,
        ) => ReturnType<(typeof simulation.providers)["aws"]["discover"]>
      )(connections[cloud], labels),
    ),
  );
  return { workloads: found.flatMap((d) => d.workloads), networks: found.flatMap((d) => d.networks) };
}

function endpointName(endpoint: ResolvedEndpoint): string {
  if (endpoint.kind === "workload") return endpoint.workload;
  // A NAT address stands for every workload behind it: named by its CIDR (endNamer names a source seen by it so).
  if (endpoint.kind === "nat") return `nat:${endpoint.cidr}`;
  return endpoint.address;
}

/**
 * What the files say, connection by connection (those first seen at or after `since`). A connection whose direction the log cannot
 * tell (an accepted ICMP exchange: no ports, no flags) is named with its ends in text order.
 */
export async function readBack(
  files: readonly CloudLogFile[],
  inventory: Inventory,
  simulation: Simulation,
  servicePorts: ReadonlySet<string>,
  since = Number.NEGATIVE_INFINITY,
): Promise<{ keys: string[]; malformed: number; records: number }> {
  const report = await connectRecords(recordsOf(files), {
    servicePorts: (protocol, port) => servicePorts.has(`${protocol}/${port}`),
  });
  const index = new AddressIndex(inventory, simulation.policy);
  const recent = report.connections.filter((connection) => connection.first >= since);
  const keys = recent.map((connection) => {
    const resolved = resolveConnection(connection, index);
    let [from, to] = [endpointName(resolved.initiator), endpointName(resolved.responder)];
    if (!resolved.directionKnown && to < from) [from, to] = [to, from];
    return keyText({ from, to, ...resolved.service, action: resolved.action });
  });
  return { keys: keys.sort(), malformed: report.malformed, records: report.records };
}

/**
 * How a flow's end is named in the logs read back: a workload by its id (also when the flow names
 * it by an address it holds), a source seen by a NAT address by that NAT's CIDR, else the address.
 */
export function endNamer(simulation: Simulation): (text: string, seenAs: string | undefined) => string {
  const nat = Object.values(simulation.policy.networks.nat).flat();
  return (text, seenAs) => {
    const cidr = seenAs === undefined ? undefined : nat.find((c) => cidrContains(c, seenAs));
    if (cidr !== undefined) return `nat:${cidr}`;
    if (text.includes(":")) return text;
    const clouds = simulation.clouds;
    const holder = clouds.runningWithPublicIp(text) ?? clouds.workloads().find((w) => w.privateIp === text);
    return holder?.id ?? text;
  };
}

/** The `protocol/port` of each flow's service, as connectRecords' `servicePorts` is asked. */
export function servicePortsOf(outcomes: readonly TrafficOutcome[]): Set<string> {
  const ports = outcomes.flatMap((o) => o.flows.map((f) => trafficService(f.flow.service)));
  return new Set(ports.flatMap((s) => (s.port === undefined ? [] : [`${PROTOCOLS[s.protocol]}/${s.port}`])));
}

/**
 * The interfaces that logged one connection of a flow, and what each one's log reads alone: the
 * destination's (the flow's verdict) unless the source's egress rejected it, and the source's
 * always (rejected by its own egress, else sent: accepted where its log does not hold the
 * destination's end of the same connection).
 */
function loggedSides(
  outcome: TrafficOutcome["flows"][number],
  simulation: Simulation,
  name: (text: string, seenAs: string | undefined) => string,
  privateIps: (workload: string) => readonly string[],
): { cloud: string; from: string; action: "accept" | "reject" }[] {
  const [source, destination] = [name(outcome.flow.from, undefined), name(outcome.flow.to, undefined)];
  const sides: { cloud: string; from: string; action: "accept" | "reject" }[] = [];
  const workload = (id: string) => simulation.clouds.workload(id);
  const verdict: "accept" | "reject" = outcome.verdict === "accepted" ? "accept" : "reject";
  const rejectedLeaving = outcome.verdict === "rejected" && outcome.decidedBy?.end === "source";
  const toSide = workload(destination) &&
    !rejectedLeaving && {
      cloud: cloudOfId(destination),
      from: name(outcome.flow.from, outcome.sourceAddress),
      action: verdict,
    };
  const fromSide = workload(source) && {
    cloud: cloudOfId(source),
    from: source,
    action: rejectedLeaving ? ("reject" as const) : ("accept" as const),
  };
  if (toSide) sides.push(toSide);
  // Both ends in one cloud over a private path: the same addresses, so one connection in its log.
  const samePath =
    toSide &&
    fromSide &&
    toSide.cloud === fromSide.cloud &&
    privateIps(source).includes(outcome.sourceAddress ?? "") &&
    privateIps(destination).includes(outcome.destinationAddress ?? "");
  if (fromSide && !samePath) sides.push(fromSide);
  return sides;
}

/**
 * Whether a cloud's log of an ICMP exchange cannot say who opened it: AWS records have no ports
 * and no TCP flags, GCP's VPC Flow Logs (accepted) no opener; an Azure tuple and a GCP firewall
 * entry (denied) are written from the opener.
 */
function directionUnknown(cloud: Cloud, action: "accept" | "reject"): boolean {
  return cloud === "aws" || (cloud === "gcp" && action === "accept");
}

/**
 * What a cloud's log should say: each connection of each flow, once per interface of that cloud
 * that logged it with its own addresses, its ends named as endNamer names them (a source seen by
 * a NAT address is the NAT's on the destination's side, itself on its own side); the ICMP
 * exchanges of two ends are one connection.
 */
export function expectedKeys(
  outcomes: readonly TrafficOutcome[],
  cloud: Cloud,
  simulation: Simulation,
  inventory: Inventory,
): string[] {
  const name = endNamer(simulation);
  const nics = new Map(inventory.workloads.map((w) => [w.id as string, w.nics.map((nic) => nic.privateIp)]));
  const privateIps = (workload: string) => nics.get(workload) ?? [];
  const keys = outcomes.flatMap((outcome) =>
    outcome.flows.flatMap((flow) => {
      if (flow.verdict === "unreachable") return [];
      const service = trafficService(flow.flow.service);
      const to = name(flow.flow.to, undefined);
      return loggedSides(flow, simulation, name, privateIps)
        .filter((side) => side.cloud === cloud)
        .flatMap((side) => {
          let from = side.from;
          let responder = to;
          const unordered = service.protocol === "icmp" && directionUnknown(cloud, side.action);
          if (unordered && responder < from) [from, responder] = [responder, from];
          const key = keyText({
            from,
            to: responder,
            protocol: PROTOCOLS[service.protocol],
            ...(service.port === undefined ? {} : { port: service.port }),
            action: side.action,
          });
          // ICMP has no ports: every exchange between the same two addresses is one connection in the logs.
          return Array.from({ length: service.protocol === "icmp" ? 1 : flow.flow.count }, () => key);
        });
    }),
  );
  const icmp = new Set(keys.filter((key) => key.includes(" 1/- ")));
  return [...keys.filter((key) => !icmp.has(key)), ...icmp].sort();
}
