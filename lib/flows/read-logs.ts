/**
 * Every flow log object at the given locations (files, folders, `s3://`, Azure blob URLs) read
 * into one set of connections: the records of all objects together, so that the two directions
 * of a connection meet whichever objects hold them (docs/flows.md, "Connections"). The side on a
 * port the policy's services name is the responder.
 */
import type { Policy, Service } from "../policy/model.js";
import { type ConnectionReport, connectRecords } from "./connections.js";
import type { ParsedRecord } from "./model.js";
import { type FormatChoice, parseFlowLog } from "./parsers/index.js";
import { type LogSourceOptions, logObjects } from "./sources/index.js";
import { protocolName } from "./verdict.js";

export interface ReadLogsOptions {
  readonly format?: FormatChoice;
  /** AWS records without a header line: their fields (`--aws-format`). */
  readonly awsFormat?: string;
  readonly sources?: LogSourceOptions;
  /** Whether a policy's service names the port: that side is the responder. */
  readonly servicePorts?: (protocol: number, port: number) => boolean;
}

/** Every record of every object at every location, location by location, objects in name order. */
async function* recordsAt(
  locations: readonly string[],
  options: ReadLogsOptions,
): AsyncGenerator<ParsedRecord> {
  const parse = options.awsFormat === undefined ? {} : { awsFormat: options.awsFormat };
  for (const location of locations)
    for await (const object of logObjects(location, options.sources ?? {}))
      yield* parseFlowLog(object, options.format ?? "auto", parse);
}

/**
 * Reads the locations into connections. Fails (the sources' and parsers' errors) on a location
 * that is none, holds nothing or cannot be read; a malformed record is counted, never a failure.
 */
export function readConnections(
  locations: readonly string[],
  options: ReadLogsOptions = {},
): Promise<ConnectionReport> {
  return connectRecords(
    recordsAt(locations, options),
    options.servicePorts === undefined ? {} : { servicePorts: options.servicePorts },
  );
}

/** The ports the policy's services and rules name, per protocol: what `servicePorts` answers from. */
export function policyServicePorts(policy: Policy): (protocol: number, port: number) => boolean {
  const services: Service[] = [
    ...Object.values(policy.services).flat(),
    ...policy.rulesets.flatMap((ruleset) =>
      [...ruleset.rules, ...ruleset.deny].flatMap((rule) => rule.services),
    ),
  ];
  return (protocol, port) => {
    const name = protocolName(protocol);
    return services.some(
      (service) =>
        (service.protocol === "tcp" || service.protocol === "udp") &&
        service.protocol === name &&
        port >= service.fromPort &&
        port <= service.toPort,
    );
  };
}
