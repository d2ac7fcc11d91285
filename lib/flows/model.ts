/**
 * Flows (docs/flows.md): what the clouds' own flow logs say really talked to what. Native log
 * objects are read from where the clouds put them (sources/), parsed record by record in each
 * cloud's format (parsers/), and paired into observed connections.
 */
import type { Readable } from "node:stream";

export type FlowLogFormat = "aws" | "azure" | "gcp";

/** One log object (a file, an S3 object, a blob), opened on demand as plain text (gzip undone). */
export interface LogObject {
  /** Where it was read from, as errors and reports name it: a path, `s3://bucket/key`, a blob URL. */
  readonly name: string;
  open(): Promise<Readable>;
}

/** Where a record was read: the object and the 1-based line its text starts on. */
export interface RecordOrigin {
  readonly object: string;
  readonly line: number;
}

/**
 * One record of a native flow log, in no cloud's shape: one direction of one 5-tuple over a time
 * span (AWS, GCP), or a whole connection (an Azure tuple, whose `reply` counters carry the other
 * direction).
 */
export interface FlowRecord {
  readonly format: FlowLogFormat;
  readonly origin: RecordOrigin;
  /** Epoch milliseconds. */
  readonly start: number;
  readonly end: number;
  /** The packets' addresses as the log gives them (AWS: pkt-srcaddr/pkt-dstaddr where present). */
  readonly srcAddress: string;
  readonly dstAddress: string;
  /** Absent for protocols without ports (ICMP). */
  readonly srcPort?: number;
  readonly dstPort?: number;
  /** IANA protocol number (6 tcp, 17 udp, 1 icmp, 58 icmpv6). */
  readonly protocol: number;
  readonly action: "accept" | "reject";
  readonly packets: number;
  readonly bytes: number;
  /** The other direction's counters, when the record is a whole connection (Azure). */
  readonly reply?: { readonly packets: number; readonly bytes: number };
  /**
   * Who opened the connection, when the log says so: `src` (this record's source, e.g. AWS SYN
   * without ACK, an Azure tuple), `dst` (the record is the reply direction, e.g. AWS SYN-ACK).
   * Absent: the log does not say.
   */
  readonly initiator?: "src" | "dst";
  /** The native interface or instance the record was captured on, as the log names it. */
  readonly reportedBy?: { readonly kind: "interface" | "instance"; readonly id: string };
  /**
   * Which of the record's addresses is the reporter's own, when the log says so (AWS v5
   * `flow-direction`, an Azure tuple's direction, GCP `reporter`): `src` on egress, `dst` on
   * ingress. It says where the record was seen, not who opened the connection.
   */
  readonly reporterSide?: "src" | "dst";
}

/** A record the parser could not read: counted and reported with where it was, never a crash. */
export interface MalformedRecord {
  readonly origin: RecordOrigin;
  readonly reason: string;
}

export type ParsedRecord =
  | { readonly kind: "record"; readonly record: FlowRecord }
  | { readonly kind: "malformed"; readonly malformed: MalformedRecord }
  /** A record that carries no flow (AWS NODATA/SKIPDATA): counted, not a connection. */
  | { readonly kind: "skipped"; readonly origin: RecordOrigin; readonly reason: string };

/**
 * One observed connection: the records of both directions of one 5-tuple (and the same
 * connection reported by both ends) made one, oriented from its initiator.
 */
export interface ObservedConnection {
  readonly format: FlowLogFormat;
  readonly first: number;
  readonly last: number;
  /** Initiator and responder; when the direction cannot be known, `directionKnown` is false. */
  readonly initiatorAddress: string;
  readonly responderAddress: string;
  readonly protocol: number;
  /** The initiator's port (an ephemeral one); absent for protocols without ports. */
  readonly initiatorPort?: number;
  /** The responder's port (the service); absent for protocols without ports. */
  readonly responderPort?: number;
  /** As its path decided (docs/flows.md, "Connections", outcome): see `request`. */
  readonly action: "accept" | "reject";
  /**
   * The request (initiator → responder) as each end logged it, where the direction is known (or
   * only one direction was logged) and the log says which end a record is from; absent when
   * neither end's view is known.
   */
  readonly request?: {
    readonly atResponder?: "accept" | "reject";
    readonly atInitiator?: "accept" | "reject";
  };
  readonly directionKnown: boolean;
  readonly packets: number;
  readonly bytes: number;
  /** How many native records made it. */
  readonly records: number;
  /** Interfaces or instances that reported it, as the logs name them. */
  readonly reportedBy: readonly { readonly kind: "interface" | "instance"; readonly id: string }[];
}
