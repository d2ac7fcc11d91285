/**
 * Observed connections → what talked to what (docs/flows.md, "Resolution"): each connection's
 * initiator and responder resolved against the inventory of its time (a workload, a NAT address and
 * the workloads behind it, an ipList, an outside address, or an ambiguous private address), with
 * its service, action, times and counts. Pure: the inventory and policy come in, nothing is read.
 */
import type { Inventory, NetworkId } from "../inventory/model.js";
import { AddressIndex, type ResolutionPolicy } from "./address-index.js";
import type { FlowLogFormat, ObservedConnection } from "./model.js";
import { type ResolveContext, type ResolvedEndpoint, resolveAddress } from "./resolve-address.js";
import { type InventorySnapshot, InventoryTimeline } from "./timeline.js";

export { AddressIndex, type ResolutionPolicy } from "./address-index.js";
export type { ResolvedEndpoint, WorkloadMatch } from "./resolve-address.js";
export { type InventorySnapshot, InventoryTimeline } from "./timeline.js";

export interface ResolvedConnection {
  readonly format: FlowLogFormat;
  readonly initiator: ResolvedEndpoint;
  readonly responder: ResolvedEndpoint;
  /** The IANA protocol and the responder's port (absent for protocols without ports). */
  readonly service: { readonly protocol: number; readonly port?: number };
  /** The initiator's port; absent for protocols without ports. */
  readonly initiatorPort?: number;
  readonly action: "accept" | "reject";
  /** The request as each end logged it (`ObservedConnection.request`). */
  readonly request?: ObservedConnection["request"];
  /** The other formats that logged the same connection, when it was merged (lib/flows/merge-formats.ts). */
  readonly alsoIn?: readonly FlowLogFormat[];
  /** False: the log did not say who opened it; initiator and responder are then a guess (docs/flows.md). */
  readonly directionKnown: boolean;
  /** Epoch milliseconds: first record's start, last record's end. */
  readonly first: number;
  readonly last: number;
  readonly packets: number;
  readonly bytes: number;
  readonly records: number;
  readonly reportedBy: ObservedConnection["reportedBy"];
  /** The time of the inventory snapshot it was resolved against; absent for a single inventory. */
  readonly inventoryTime?: number;
}

export interface ResolveOptions {
  /** The network the log was captured in, when the caller knows it (a VPC's log): it tells shared private addresses apart. */
  readonly network?: NetworkId;
}

/** A timeline of inventory snapshots, or one inventory for every connection, indexed for `resolveConnection`. */
export function inventoryResolver(
  source: Inventory | readonly InventorySnapshot[],
  policy: ResolutionPolicy,
): InventoryTimeline {
  return new InventoryTimeline(source, policy);
}

/** The connection's reporters that the inventory knows (by interface id or instance name), and their networks. */
function contextOf(
  connection: ObservedConnection,
  index: AddressIndex,
  options: ResolveOptions,
): ResolveContext {
  const reporters: ResolveContext["reporters"][number][] = [];
  for (const reporter of connection.reportedBy) {
    if (reporter.kind === "interface") {
      const nic = index.interfaceNamed(reporter.id);
      if (nic !== undefined) reporters.push({ nic, by: "interface" });
    } else {
      for (const nic of index.instanceNamed(reporter.id)) reporters.push({ nic, by: "instance" });
    }
  }
  const networks = new Set(reporters.map(({ nic }) => nic.network));
  if (options.network !== undefined) networks.add(options.network);
  return { reporters, networks };
}

/** Resolves both ends of one connection against the inventory of its time (the latest snapshot at or before its first record). */
export function resolveConnection(
  connection: ObservedConnection,
  resolver: InventoryTimeline | AddressIndex,
  options: ResolveOptions = {},
): ResolvedConnection {
  const snapshot = resolver instanceof AddressIndex ? { index: resolver } : resolver.at(connection.first);
  const context = contextOf(connection, snapshot.index, options);
  return {
    format: connection.format,
    initiator: resolveAddress(connection.initiatorAddress, snapshot.index, context),
    responder: resolveAddress(connection.responderAddress, snapshot.index, context),
    service: {
      protocol: connection.protocol,
      ...(connection.responderPort === undefined ? {} : { port: connection.responderPort }),
    },
    ...(connection.initiatorPort === undefined ? {} : { initiatorPort: connection.initiatorPort }),
    action: connection.action,
    ...(connection.request === undefined ? {} : { request: connection.request }),
    directionKnown: connection.directionKnown,
    first: connection.first,
    last: connection.last,
    packets: connection.packets,
    bytes: connection.bytes,
    records: connection.records,
    reportedBy: connection.reportedBy,
    ...(snapshot.time === undefined ? {} : { inventoryTime: snapshot.time }),
  };
}
