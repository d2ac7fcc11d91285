/**
 * `native.azure` of an estate: network objects that exist before segsync, as `az … show` prints
 * them (docs/formats.md, "Estate"), strict so that a misspelt field is an error. Read-only
 * properties that ARM derives itself (an NSG's default rules and its NICs) are accepted and, as ARM
 * does on a PUT, ignored; a NIC of an estate VM may leave out what the estate already says (region,
 * address, subnet).
 */
import { z } from "zod";
import { Ipv4AddressSchema } from "./address-schemas.js";

export const AZURE_REGION = z
  .string()
  .regex(/^[a-z][a-z0-9]*$/, "not an Azure region name as ARM returns it, such as eastus");

const SubResourceSchema = z.strictObject({ id: z.string().min(1) });
const TagsSchema = z.record(z.string(), z.string()).default({});

const SecurityRuleSchema = z.strictObject({
  name: z.string().min(1),
  priority: z.number().int(),
  direction: z.enum(["Inbound", "Outbound"]),
  access: z.enum(["Allow", "Deny"]),
  protocol: z.enum(["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"]),
  description: z.string().optional(),
  sourcePortRange: z.string().optional(),
  sourcePortRanges: z.array(z.string()).optional(),
  sourceAddressPrefix: z.string().optional(),
  sourceAddressPrefixes: z.array(z.string()).optional(),
  sourceApplicationSecurityGroups: z.array(SubResourceSchema).optional(),
  destinationAddressPrefix: z.string().optional(),
  destinationAddressPrefixes: z.array(z.string()).optional(),
  destinationApplicationSecurityGroups: z.array(SubResourceSchema).optional(),
  destinationPortRange: z.string().optional(),
  destinationPortRanges: z.array(z.string()).optional(),
});

const resource = {
  id: z.string().min(1),
  name: z.string().min(1),
  resourceGroup: z.string().min(1),
  tags: TagsSchema,
};

export const NativeNetworkSecurityGroupSchema = z.strictObject({
  ...resource,
  location: AZURE_REGION,
  etag: z.string().optional(),
  securityRules: z.array(SecurityRuleSchema).default([]),
  defaultSecurityRules: z.array(SecurityRuleSchema).optional(),
  networkInterfaces: z.array(SubResourceSchema).optional(),
});

export const NativeApplicationSecurityGroupSchema = z.strictObject({ ...resource, location: AZURE_REGION });

const IpConfigurationSchema = z.strictObject({
  name: z.string().min(1),
  primary: z.boolean().optional(),
  privateIPAddress: Ipv4AddressSchema.optional(),
  subnet: SubResourceSchema.optional(),
  publicIPAddress: SubResourceSchema.optional(),
  applicationSecurityGroups: z.array(SubResourceSchema).default([]),
});

export const NativeAzureNicSchema = z.strictObject({
  ...resource,
  location: AZURE_REGION.optional(),
  etag: z.string().optional(),
  virtualMachine: SubResourceSchema.optional(),
  networkSecurityGroup: SubResourceSchema.optional(),
  primary: z.boolean().optional(),
  // The simulated NICs hold one address each, as segsync's discovery reads them.
  ipConfigurations: z
    .array(IpConfigurationSchema)
    .min(1, "a NIC has an IP configuration")
    .max(1, "the simulated clouds give a NIC one IP configuration"),
});

export const NativeAzureSchema = z.strictObject({
  networkSecurityGroups: z.array(NativeNetworkSecurityGroupSchema).optional(),
  applicationSecurityGroups: z.array(NativeApplicationSecurityGroupSchema).optional(),
  networkInterfaces: z.array(NativeAzureNicSchema).optional(),
});

export type NativeNetworkSecurityGroup = z.output<typeof NativeNetworkSecurityGroupSchema>;
export type NativeApplicationSecurityGroup = z.output<typeof NativeApplicationSecurityGroupSchema>;
export type NativeAzureNic = z.output<typeof NativeAzureNicSchema>;
export type NativeAzure = z.output<typeof NativeAzureSchema>;
