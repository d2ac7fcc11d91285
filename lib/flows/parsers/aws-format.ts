/**
 * AWS VPC Flow Logs record formats (docs/flows.md, "AWS"): the default version 2 format, a
 * custom format named by the header line S3 delivery writes, or one the caller gives for records
 * without a header (`--aws-format`, as CloudWatch Logs exports them).
 */
import { FlowLogFormatError } from "../errors.js";

/** The default format: every version 2 field, in this order. */
export const AWS_DEFAULT_FORMAT =
  "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";

/** The fields a record must have for segsync to make a flow of it. */
const REQUIRED: readonly (readonly string[])[] = [
  ["srcaddr", "pkt-srcaddr"],
  ["dstaddr", "pkt-dstaddr"],
  ["protocol"],
  ["start"],
  ["end"],
  ["action"],
];

/** Where each field segsync reads is in a record; -1 where the format lacks it. */
export interface AwsLayout {
  readonly fields: readonly string[];
  readonly srcaddr: number;
  readonly dstaddr: number;
  readonly pktSrcaddr: number;
  readonly pktDstaddr: number;
  readonly srcport: number;
  readonly dstport: number;
  readonly protocol: number;
  readonly packets: number;
  readonly bytes: number;
  readonly start: number;
  readonly end: number;
  readonly action: number;
  readonly logStatus: number;
  readonly tcpFlags: number;
  readonly interfaceId: number;
  readonly instanceId: number;
  readonly flowDirection: number;
}

/** A field name as AWS writes them: lowercase words joined by `-` (`pkt-srcaddr`, `ecs-task-id`). */
const FIELD_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The names of a format string, with or without `${…}` around each (as the console and CLI take them). */
export function formatFields(format: string): string[] {
  return format
    .trim()
    .split(/\s+/)
    .filter((token) => token !== "")
    .map((token) => token.replace(/^\$\{(.*)\}$/, "$1"));
}

/**
 * Whether a first line is a header: every token a field name, among them `srcaddr` or
 * `pkt-srcaddr` (a record always has an address, a number or `-` where a header has a name).
 */
export function isHeaderLine(tokens: readonly string[]): boolean {
  return (
    tokens.length > 0 &&
    tokens.every((token) => FIELD_NAME.test(token)) &&
    (tokens.includes("srcaddr") || tokens.includes("pkt-srcaddr"))
  );
}

/** The fields the format lacks among those segsync needs, in words; empty when it has them all. */
export function missingFields(fields: readonly string[]): string[] {
  return REQUIRED.filter((alternatives) => !alternatives.some((name) => fields.includes(name))).map(
    (alternatives) => alternatives.join(" or "),
  );
}

export function awsLayout(fields: readonly string[]): AwsLayout {
  const at = (name: string) => fields.indexOf(name);
  return {
    fields,
    srcaddr: at("srcaddr"),
    dstaddr: at("dstaddr"),
    pktSrcaddr: at("pkt-srcaddr"),
    pktDstaddr: at("pkt-dstaddr"),
    srcport: at("srcport"),
    dstport: at("dstport"),
    protocol: at("protocol"),
    packets: at("packets"),
    bytes: at("bytes"),
    start: at("start"),
    end: at("end"),
    action: at("action"),
    logStatus: at("log-status"),
    tcpFlags: at("tcp-flags"),
    interfaceId: at("interface-id"),
    instanceId: at("instance-id"),
    flowDirection: at("flow-direction"),
  };
}

/** The caller's `--aws-format`, checked now: a format segsync cannot use is the caller's error. */
export function callerLayout(format: string): AwsLayout {
  const fields = formatFields(format);
  const bad = fields.filter((field) => !FIELD_NAME.test(field));
  if (fields.length === 0 || bad.length > 0) {
    throw new FlowLogFormatError(
      `--aws-format ${JSON.stringify(format)}: ${fields.length === 0 ? "names no field" : `${bad.map((b) => JSON.stringify(b)).join(", ")} is not a field name`}`,
    );
  }
  const missing = missingFields(fields);
  if (missing.length > 0) {
    throw new FlowLogFormatError(
      `--aws-format lacks ${missing.join(", ")}: its records carry no flow segsync can read`,
    );
  }
  return awsLayout(fields);
}
