/**
 * The scenario's `traffic` step (docs/formats.md, "Traffic"): flows that happen now, each from a
 * workload or an address to a workload or an address, on one service, `count` connections.
 */
import { z } from "zod";
import type { ProbeProtocol } from "../lib/clouds/provider.js";
import { WorkloadIdSchema } from "../lib/inventory/ids.js";
import { Ipv4AddressSchema } from "./address-schemas.js";

/** The most connections one flow of a step may ask for: a step is one minute of simulated time. */
export const MAX_FLOW_COUNT = 1000;

/**
 * A workload id (it has `:`) or an IPv4 address (the simulated clouds hold IPv4 only), each
 * checked by its own schema so that the message says what is wrong with the one it looks like.
 */
const EndpointSchema = z.string().superRefine((text, ctx) => {
  const schema = text.includes(":") ? WorkloadIdSchema : Ipv4AddressSchema;
  const parsed = schema.safeParse(text);
  if (parsed.success) return;
  for (const issue of parsed.error.issues)
    ctx.addIssue({ code: "custom", message: `${issue.message} (a workload id or an IPv4 address)` });
});

const SERVICE = /^(?:(tcp|udp)\/(\d{1,5})|icmp)$/;

/** `tcp/5432`, `udp/53` or `icmp`: one port, as one connection has. */
const ServiceSchema = z.string().superRefine((text, ctx) => {
  const match = SERVICE.exec(text);
  const port = match?.[2] === undefined ? undefined : Number(match[2]);
  if (match === null)
    ctx.addIssue({
      code: "custom",
      message: `"${text}" is not a service: use tcp/<port>, udp/<port> or icmp`,
    });
  else if (port !== undefined && (port < 1 || port > 65535))
    ctx.addIssue({ code: "custom", message: `port ${port} is out of range (1-65535)` });
});

export const TrafficFlowSchema = z.strictObject({
  from: EndpointSchema,
  to: EndpointSchema,
  service: ServiceSchema,
  count: z.number().int().min(1).max(MAX_FLOW_COUNT).default(1),
});

export const TrafficSchema = z.array(TrafficFlowSchema).min(1);

export type TrafficFlow = z.output<typeof TrafficFlowSchema>;
export type TrafficSpec = readonly TrafficFlow[];

/** A service of one connection: its protocol and, for TCP and UDP, the destination port. */
export interface TrafficService {
  readonly protocol: ProbeProtocol;
  readonly port?: number;
}

/** The service of a checked flow (`tcp/5432` → tcp, 5432). */
export function trafficService(text: string): TrafficService {
  const match = SERVICE.exec(text);
  if (match === null) throw new TypeError(`unchecked traffic service ${JSON.stringify(text)}`);
  const [, protocol, port] = match;
  return protocol === undefined
    ? { protocol: "icmp" }
    : { protocol: protocol as "tcp" | "udp", port: Number(port) };
}
