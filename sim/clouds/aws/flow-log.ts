/**
 * AWS VPC Flow Logs as the simulated ENIs write them (docs/flows.md, "Simulated flow logs"): a
 * version 5 custom format, its header line first as S3 delivery writes it, one object per account
 * and region. Each connection is a record per direction on the ENI that saw it: the opening one
 * with SYN (and FIN once answered), the answer with SYN-ACK, and for a rejected connection only
 * the opening one, REJECT.
 */
import type { ProbeProtocol } from "../../../lib/clouds/provider.js";
import { compareText } from "../../../lib/util/compare-text.js";
import type { Counters, Endpoint, FlowLogWriter, LogFile, LoggedConnection } from "../traffic.js";
import type { AwsNicNative } from "./traffic.js";

export const AWS_SIMULATED_FORMAT =
  "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region flow-direction";

const PROTOCOL_NUMBERS: Readonly<Record<ProbeProtocol, number>> = { tcp: 6, udp: 17, icmp: 1 };

/** TCP flags as AWS ORs them over a record's window: SYN 2, FIN 1, SYN-ACK 18. */
const OPENED = 2;
const OPENED_AND_CLOSED = 3;
const ANSWERED_AND_CLOSED = 19;

interface Direction {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly counters: Counters;
  readonly flowDirection: "ingress" | "egress";
  readonly tcpFlags: number;
}

/** The directions an ENI records for one connection: the opening one, and the answer when there was one. */
function directions(connection: LoggedConnection<AwsNicNative>): Direction[] {
  const { local, remote } = connection;
  // Sent and unanswered (the destination rejected it): the opening SYN alone, accepted by this ENI.
  const answered = connection.accepted && connection.reply.packets > 0;
  const opener = connection.direction === "ingress" ? remote : local;
  const answerer = connection.direction === "ingress" ? local : remote;
  const opening: Direction = {
    from: opener,
    to: answerer,
    counters: connection.request,
    flowDirection: connection.direction,
    tcpFlags: answered ? OPENED_AND_CLOSED : OPENED,
  };
  if (!answered) return [opening];
  const answer: Direction = {
    from: answerer,
    to: opener,
    counters: connection.reply,
    flowDirection: connection.direction === "ingress" ? "egress" : "ingress",
    tcpFlags: ANSWERED_AND_CLOSED,
  };
  return [opening, answer];
}

function recordLine(connection: LoggedConnection<AwsNicNative>, direction: Direction): string {
  const { native } = connection.nic;
  const tcp = connection.protocol === "tcp";
  const start = Math.floor(connection.start / 1000);
  const end = Math.max(start, Math.floor(connection.end / 1000));
  return [
    5,
    native.account,
    native.interfaceId,
    direction.from.address,
    direction.to.address,
    direction.from.port ?? 0,
    direction.to.port ?? 0,
    PROTOCOL_NUMBERS[connection.protocol],
    direction.counters.packets,
    direction.counters.bytes,
    start,
    end,
    connection.accepted ? "ACCEPT" : "REJECT",
    "OK",
    native.vpcId,
    native.subnetId ?? "-",
    native.instanceId,
    tcp ? direction.tcpFlags : 0,
    "IPv4",
    direction.from.address,
    direction.to.address,
    native.region,
    direction.flowDirection,
  ].join(" ");
}

/** Records by account and region, each location's object named as S3 delivery names it (without its date path). */
export class AwsFlowLog implements FlowLogWriter<AwsNicNative> {
  private readonly byLocation = new Map<string, string[]>();

  record(connection: LoggedConnection<AwsNicNative>): void {
    const { account, region } = connection.nic.native;
    const name = `${account}_vpcflowlogs_${region}.log`;
    const lines = this.byLocation.get(name) ?? [];
    for (const direction of directions(connection)) lines.push(recordLine(connection, direction));
    this.byLocation.set(name, lines);
  }

  files(): LogFile[] {
    return [...this.byLocation.entries()]
      .sort(([a], [b]) => compareText(a, b))
      .map(([name, lines]) => ({ name, text: `${[AWS_SIMULATED_FORMAT, ...lines].join("\n")}\n` }));
  }
}
