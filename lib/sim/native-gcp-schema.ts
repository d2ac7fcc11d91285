/**
 * `native.gcp` of an estate: Compute objects that exist before segsync, as the Compute REST API
 * returns them (docs/formats.md, "Estate"), strict so that a misspelt field is an error. A firewall
 * rule is the whole rule (Compute's defaults apply: priority 1000, INGRESS); an instance entry only
 * names an estate workload (name and zone) and gives its existing network tags.
 */
import { z } from "zod";

const ProtocolSchema = z.strictObject({
  IPProtocol: z.string().min(1),
  ports: z.array(z.string()).optional(),
});

export const NativeFirewallSchema = z.strictObject({
  id: z
    .string()
    .regex(/^\d{1,20}$/, "not a Compute id (digits)")
    .optional(),
  name: z.string().min(1),
  network: z.string().min(1),
  priority: z.number().int().default(1000),
  direction: z.enum(["INGRESS", "EGRESS"]).default("INGRESS"),
  description: z.string().optional(),
  disabled: z.boolean().optional(),
  sourceRanges: z.array(z.string()).optional(),
  sourceTags: z.array(z.string()).optional(),
  sourceServiceAccounts: z.array(z.string()).optional(),
  targetTags: z.array(z.string()).optional(),
  targetServiceAccounts: z.array(z.string()).optional(),
  destinationRanges: z.array(z.string()).optional(),
  allowed: z.array(ProtocolSchema).optional(),
  denied: z.array(ProtocolSchema).optional(),
  // Output only: Compute derives it from the project and the name.
  selfLink: z.string().optional(),
});

export const NativeGcpInstanceSchema = z.strictObject({
  name: z.string().min(1),
  /** A zone name, or a zone URL (…/projects/<project>/zones/<zone>) when the name alone is ambiguous. */
  zone: z.string().min(1),
  tags: z.strictObject({ items: z.array(z.string()).default([]), fingerprint: z.string().optional() }),
});

export const NativeGcpSchema = z.strictObject({
  firewalls: z.array(NativeFirewallSchema).optional(),
  instances: z.array(NativeGcpInstanceSchema).optional(),
});

export type NativeFirewall = z.output<typeof NativeFirewallSchema>;
export type NativeGcpInstance = z.output<typeof NativeGcpInstanceSchema>;
export type NativeGcp = z.output<typeof NativeGcpSchema>;
