/**
 * GCP's logs as the simulated instances write them (docs/flows.md, "Simulated flow logs"): Cloud
 * Logging entries, one JSON per line as a sink writes them to Cloud Storage, in the network's host
 * project. An accepted connection is VPC Flow Logs entries, one per direction, reported by the
 * instance (`SRC` for what it sent, `DEST` for what it received); a denied one is a Firewall Rules
 * Logging entry, `DENIED`, on the instance that denied it (by an INGRESS rule at the destination,
 * an EGRESS rule at the source).
 */
import { createHash } from "node:crypto";
import type { ProbeProtocol } from "../../../lib/clouds/provider.js";
import { compareText } from "../../../lib/util/compare-text.js";
import type { Counters, Endpoint, FlowLogWriter, LogFile, LoggedConnection } from "../traffic.js";
import type { GcpNicNative } from "./traffic.js";

const PROTOCOL_NUMBERS: Readonly<Record<ProbeProtocol, number>> = { tcp: 6, udp: 17, icmp: 1 };

/** The implied deny-ingress rule's priority: GCP does not log it, the simulator does (docs/flows.md). */
const IMPLIED_PRIORITY = 65535;

function instanceOf(native: GcpNicNative) {
  return {
    project_id: native.project,
    region: native.zone.replace(/-[a-z]$/, ""),
    vm_name: native.instanceName,
    zone: native.zone,
  };
}

function connectionOf(protocol: ProbeProtocol, from: Endpoint, to: Endpoint) {
  return {
    dest_ip: to.address,
    ...(to.port === undefined ? {} : { dest_port: to.port }),
    protocol: PROTOCOL_NUMBERS[protocol],
    src_ip: from.address,
    ...(from.port === undefined ? {} : { src_port: from.port }),
  };
}

function envelope(native: GcpNicNative, log: string, time: number, payload: object): object {
  const timestamp = new Date(time).toISOString();
  const body = {
    jsonPayload: payload,
    logName: `projects/${native.networkProject}/logs/compute.googleapis.com%2F${log}`,
    receiveTimestamp: timestamp,
    resource: {
      labels: { location: native.zone, project_id: native.networkProject },
      type: "gce_subnetwork",
    },
    timestamp,
  };
  const insertId = createHash("sha256").update(JSON.stringify(body)).digest("hex").slice(0, 14);
  return { insertId, ...body };
}

/** One direction of an accepted connection, as the instance reported it. */
function vpcFlowEntry(
  connection: LoggedConnection<GcpNicNative>,
  from: Endpoint,
  to: Endpoint,
  counters: Counters,
): object {
  const { native } = connection.nic;
  const sent = from === connection.local;
  const vpc = { project_id: native.networkProject, vpc_name: native.networkName };
  return envelope(native, "vpc_flows", connection.end, {
    bytes_sent: String(counters.bytes),
    connection: connectionOf(connection.protocol, from, to),
    end_time: new Date(connection.end).toISOString(),
    packets_sent: String(counters.packets),
    reporter: sent ? "SRC" : "DEST",
    ...(sent
      ? { src_instance: instanceOf(native), src_vpc: vpc }
      : { dest_instance: instanceOf(native), dest_vpc: vpc }),
    start_time: new Date(connection.start).toISOString(),
  });
}

/**
 * A denied connection, as Firewall Rules Logging writes it on the instance whose rules denied it:
 * its ingress rules (the connection as the remote end opened it), or its egress rules (as the
 * instance opened it, the rule's direction EGRESS saying the instance is the source).
 */
function firewallEntry(connection: LoggedConnection<GcpNicNative>): object {
  const { native } = connection.nic;
  const by = connection.by;
  const ingress = connection.direction === "ingress";
  const [opener, answerer] = ingress
    ? [connection.remote, connection.local]
    : [connection.local, connection.remote];
  return envelope(native, "firewall", connection.start, {
    connection: connectionOf(connection.protocol, opener, answerer),
    disposition: "DENIED",
    instance: instanceOf(native),
    rule_details: {
      action: "DENY",
      direction: ingress ? "INGRESS" : "EGRESS",
      priority: by?.priority ?? IMPLIED_PRIORITY,
      ...(by === undefined ? {} : { reference: `network:${native.networkName}/firewall:${by.object}` }),
    },
    vpc: { project_id: native.networkProject, vpc_name: native.networkName },
  });
}

function entries(connection: LoggedConnection<GcpNicNative>): { log: string; entry: object }[] {
  if (!connection.accepted) return [{ log: "firewall", entry: firewallEntry(connection) }];
  const { local, remote, request, reply } = connection;
  const [opener, answerer] = connection.direction === "ingress" ? [remote, local] : [local, remote];
  const sent = { log: "vpc_flows", entry: vpcFlowEntry(connection, opener, answerer, request) };
  // Sent and unanswered (the destination rejected it): no reply to report.
  if (reply.packets === 0) return [sent];
  return [sent, { log: "vpc_flows", entry: vpcFlowEntry(connection, answerer, opener, reply) }];
}

/** Entries by host project and log, one file each, as a sink names its objects' log. */
export class GcpFlowLog implements FlowLogWriter<GcpNicNative> {
  private readonly byFile = new Map<string, string[]>();

  record(connection: LoggedConnection<GcpNicNative>): void {
    for (const { log, entry } of entries(connection)) {
      const name = `${connection.nic.native.networkProject}_${log}.json`;
      const lines = this.byFile.get(name) ?? [];
      lines.push(JSON.stringify(entry));
      this.byFile.set(name, lines);
    }
  }

  files(): LogFile[] {
    return [...this.byFile.entries()]
      .sort(([a], [b]) => compareText(a, b))
      .map(([name, lines]) => ({ name, text: `${lines.join("\n")}\n` }));
  }
}
