/**
 * Azure VNet flow logs as the simulated NICs write them (docs/flows.md, "Simulated flow logs"):
 * one blob per NIC, `{"records": [...]}`, a record per minute with the NIC's MAC address and its
 * VNet as the target, tuples grouped by the NSG (`aclID`) and rule that decided. A connection is a
 * `B` tuple when it opens and an `E` tuple with its counters when it ends, or one `D` tuple when
 * it is denied; the tuple's source is the side that opened it, its direction `I` or `O` as the NIC saw it.
 */
import { createHash } from "node:crypto";
import type { ProbeProtocol } from "../../../lib/clouds/provider.js";
import { compareText } from "../../../lib/util/compare-text.js";
import type { FlowLogWriter, LogFile, LoggedConnection, NativeRule } from "../traffic.js";
import type { AzureNicNative } from "./traffic.js";

const PROTOCOL_NUMBERS: Readonly<Record<ProbeProtocol, number>> = { tcp: 6, udp: 17, icmp: 1 };

function digest(text: string): string {
  return createHash("sha256").update(text.toLowerCase()).digest("hex");
}

/** A MAC address for a NIC (the simulator holds none): Microsoft's prefix 00-22-48, the rest from the NIC's id. */
export function simulatedMacAddress(nicId: string): string {
  return `002248${digest(nicId).slice(0, 6)}`.toUpperCase();
}

/** A GUID derived from a resource id, as Azure gives each NSG and flow log one. */
function guidOf(id: string): string {
  const hex = digest(id);
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join(
    "-",
  );
}

/** The rule as the flow log names it: `DefaultRule_` before an NSG's default rules, `UserRule_` before the others. */
function ruleName(rule: NativeRule): string {
  return `${rule.builtIn ? "DefaultRule" : "UserRule"}_${rule.rule ?? ""}`;
}

function tuples(connection: LoggedConnection<AzureNicNative>): string[] {
  const { local, remote, request, reply } = connection;
  const [opener, answerer] = connection.direction === "ingress" ? [remote, local] : [local, remote];
  const tuple = (time: number, state: string, counters: readonly number[]) =>
    [
      time,
      opener.address,
      answerer.address,
      opener.port ?? 0,
      answerer.port ?? 0,
      PROTOCOL_NUMBERS[connection.protocol],
      connection.direction === "ingress" ? "I" : "O",
      state,
      "NX",
      ...counters,
    ].join(",");
  if (!connection.accepted) return [tuple(connection.start, "D", [0, 0, 0, 0])];
  return [
    tuple(connection.start, "B", [0, 0, 0, 0]),
    tuple(connection.end, "E", [request.packets, request.bytes, reply.packets, reply.bytes]),
  ];
}

/** One NIC's blob: its tuples by record minute, then by NSG and rule (`""` when nothing decided). */
interface NicBlob {
  readonly native: AzureNicNative;
  readonly minutes: Map<number, Map<string, Map<string, string[]>>>;
}

function groupOf(blob: NicBlob, minute: number, by: NativeRule | undefined): string[] {
  const flows = blob.minutes.get(minute) ?? new Map<string, Map<string, string[]>>();
  blob.minutes.set(minute, flows);
  const acl = by === undefined ? "" : guidOf(by.object);
  const groups = flows.get(acl) ?? new Map<string, string[]>();
  flows.set(acl, groups);
  const rule = by === undefined ? "" : ruleName(by);
  const group = groups.get(rule) ?? [];
  groups.set(rule, group);
  return group;
}

function record(native: AzureNicNative, minute: number, flows: Map<string, Map<string, string[]>>) {
  const vnet = native.vnetId.split("/").at(-1) ?? "";
  return {
    time: new Date(minute).toISOString(),
    flowLogVersion: 4,
    flowLogGUID: guidOf(`${native.vnetId}/flowlog`),
    macAddress: simulatedMacAddress(native.nicId),
    category: "FlowLogFlowEvent",
    flowLogResourceID:
      `/SUBSCRIPTIONS/${native.subscription}/RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKWATCHERS/NETWORKWATCHER_${native.region}/FLOWLOGS/${vnet}-FLOWLOG`.toUpperCase(),
    targetResourceID: native.vnetId,
    operationName: "FlowLogFlowEvent",
    flowRecords: {
      flows: [...flows.entries()].map(([acl, groups]) => ({
        ...(acl === "" ? {} : { aclID: acl }),
        flowGroups: [...groups.entries()].map(([rule, flowTuples]) => ({
          ...(rule === "" ? {} : { rule }),
          flowTuples,
        })),
      })),
    },
  };
}

/** Blobs by NIC, each named by the NIC and its MAC address. */
export class AzureFlowLog implements FlowLogWriter<AzureNicNative> {
  private readonly blobs = new Map<string, NicBlob>();

  record(connection: LoggedConnection<AzureNicNative>): void {
    const { native } = connection.nic;
    const name = `${native.nicName}_${simulatedMacAddress(native.nicId)}.json`;
    const blob = this.blobs.get(name) ?? { native, minutes: new Map() };
    this.blobs.set(name, blob);
    const minute = Math.floor(connection.start / 60_000) * 60_000;
    groupOf(blob, minute, connection.by).push(...tuples(connection));
  }

  files(): LogFile[] {
    return [...this.blobs.entries()]
      .sort(([a], [b]) => compareText(a, b))
      .map(([name, blob]) => {
        const records = [...blob.minutes.entries()].map(([minute, flows]) =>
          record(blob.native, minute, flows),
        );
        return { name, text: `${JSON.stringify({ records }, null, 2)}\n` };
      });
  }
}
