/**
 * `native.azure` of an estate: network objects that exist before segsync, as `az … show` prints
 * them or as ARM returns them (fields under `properties`, REST casing), docs/formats.md "Estate".
 * Every field of the real shape (the SDK's model types) is accepted; read-only properties that ARM
 * derives itself (an NSG's default rules and its NICs, provisioning states, etags) are, as ARM does
 * on a PUT, ignored; any other key is an error. A NIC of an estate VM may leave out what the
 * estate already says (region, address, subnet).
 */
import { z } from "zod";
import { canonicalProtocol } from "../../../lib/clouds/azure/protocols.js";
import { Ipv4AddressSchema } from "../../address-schemas.js";
import { printedObject } from "../../native-shape.js";

export const AZURE_REGION = z
  .string()
  .regex(/^[a-z][a-z0-9]*$/, "not an Azure region name as ARM returns it, such as eastus");

const ARM = { anyCase: true, flattenProperties: true } as const;

// az adds the resource group to every reference it prints.
const SubResourceSchema = printedObject({ id: z.string().min(1) }, ["resourceGroup"], ARM);
const TagsSchema = z.record(z.string(), z.string()).default({});

/** ARM keeps the casing a rule was written with (`TCP`); the model has one. */
const ProtocolSchema = z.preprocess(
  (input) => (typeof input === "string" ? (canonicalProtocol(input) ?? input) : input),
  z.enum(["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"]),
);

/** The resource group, which az prints and ARM leaves in the id. */
function withResourceGroup(input: unknown): unknown {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return input;
  const fields = input as Record<string, unknown>;
  const group =
    typeof fields.id === "string" ? /\/resourceGroups\/([^/]+)\//i.exec(fields.id)?.[1] : undefined;
  return fields.resourceGroup === undefined && group !== undefined
    ? { ...fields, resourceGroup: group }
    : input;
}

const resourceObject = <S extends z.ZodRawShape>(shape: S, ignored: readonly string[]) =>
  z.preprocess(
    withResourceGroup,
    printedObject(shape, ["type", "etag", "resourceGuid", "provisioningState", ...ignored], ARM),
  );

const SecurityRuleSchema = printedObject(
  {
    name: z.string().min(1),
    priority: z.number().int(),
    direction: z.enum(["Inbound", "Outbound"]),
    access: z.enum(["Allow", "Deny"]),
    protocol: ProtocolSchema,
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
  },
  ["id", "resourceGroup", "etag", "type", "provisioningState"],
  ARM,
);

const resource = {
  id: z.string().min(1),
  name: z.string().min(1),
  resourceGroup: z.string().min(1),
  tags: TagsSchema,
};

export const NativeNetworkSecurityGroupSchema = resourceObject(
  {
    ...resource,
    location: AZURE_REGION,
    etag: z.string().optional(),
    /** Kept: segsync turns it on for its own NSGs, and plans to when it is off. */
    flushConnection: z.boolean().optional(),
    securityRules: z.array(SecurityRuleSchema).default([]),
  },
  ["defaultSecurityRules", "networkInterfaces", "subnets", "flowLogs"],
);

export const NativeApplicationSecurityGroupSchema = resourceObject(
  { ...resource, location: AZURE_REGION },
  [],
);

// What ARM returns of a NIC beyond what segsync reads (the SDK's NetworkInterface).
const NIC_FIELDS = [
  "extendedLocation",
  "privateEndpoint",
  "tapConfigurations",
  "dnsSettings",
  "macAddress",
  "vnetEncryptionSupported",
  "defaultOutboundConnectivityEnabled",
  "enableAcceleratedNetworking",
  "disableTcpStateTracking",
  "enableIPForwarding",
  "hostedWorkloads",
  "dscpConfiguration",
  "workloadType",
  "nicType",
  "privateLinkService",
  "migrationPhase",
  "auxiliaryMode",
  "auxiliarySku",
  // Newer API versions print these too (test/fixtures/native/azure/nic-get-secondary-azure-cli.json).
  "allowPort25Out",
  "kind",
];

// ... and of an IP configuration (the SDK's NetworkInterfaceIPConfiguration).
const IP_CONFIGURATION_FIELDS = [
  "id",
  "resourceGroup",
  "etag",
  "type",
  "gatewayLoadBalancer",
  "virtualNetworkTaps",
  "applicationGatewayBackendAddressPools",
  "loadBalancerBackendAddressPools",
  "loadBalancerInboundNatRules",
  "privateIPAddressPrefixLength",
  // Newer API versions name the prefix of a prefix configuration so.
  "privateIPAddressPrefix",
  "privateIPAddressPrefixSize",
  "privateIPAllocationMethod",
  "privateIPAddressVersion",
  "provisioningState",
  "privateLinkConnectionProperties",
];

// A NIC's public IP is a reference, or the whole address when ARM expands it (the SDK's PublicIPAddress).
const PublicIpReferenceSchema = printedObject(
  { id: z.string().min(1) },
  [
    "resourceGroup",
    "name",
    "type",
    "location",
    "tags",
    "extendedLocation",
    "sku",
    "etag",
    "zones",
    "publicIPAllocationMethod",
    "publicIPAddressVersion",
    "ipConfiguration",
    "dnsSettings",
    "ddosSettings",
    "ipTags",
    "ipAddress",
    "publicIPPrefix",
    "idleTimeoutInMinutes",
    "resourceGuid",
    "provisioningState",
    "servicePublicIPAddress",
    "natGateway",
    "migrationPhase",
    "linkedPublicIPAddress",
    "deleteOption",
  ],
  ARM,
);

const IpConfigurationSchema = printedObject(
  {
    name: z.string().min(1),
    primary: z.boolean().optional(),
    privateIPAddress: Ipv4AddressSchema.optional(),
    subnet: SubResourceSchema.optional(),
    publicIPAddress: PublicIpReferenceSchema.optional(),
    applicationSecurityGroups: z.array(SubResourceSchema).default([]),
  },
  IP_CONFIGURATION_FIELDS,
  ARM,
);

export const NativeAzureNicSchema = resourceObject(
  {
    ...resource,
    location: AZURE_REGION.optional(),
    etag: z.string().optional(),
    virtualMachine: SubResourceSchema.optional(),
    networkSecurityGroup: SubResourceSchema.optional(),
    primary: z.boolean().optional(),
    // A NIC may have secondary IP configurations; the simulated NIC holds the primary one's address.
    ipConfigurations: z
      .array(IpConfigurationSchema)
      .min(1, "a NIC has an IP configuration")
      .refine(
        (configs) => configs.filter((config) => config.primary === true).length <= 1,
        "a NIC has one primary IP configuration",
      ),
  },
  NIC_FIELDS,
);

export const NativeAzureSchema = z.strictObject({
  networkSecurityGroups: z.array(NativeNetworkSecurityGroupSchema).optional(),
  applicationSecurityGroups: z.array(NativeApplicationSecurityGroupSchema).optional(),
  networkInterfaces: z.array(NativeAzureNicSchema).optional(),
});

export type NativeNetworkSecurityGroup = z.output<typeof NativeNetworkSecurityGroupSchema>;
export type NativeApplicationSecurityGroup = z.output<typeof NativeApplicationSecurityGroupSchema>;
export type NativeAzureNic = z.output<typeof NativeAzureNicSchema>;
export type NativeAzure = z.output<typeof NativeAzureSchema>;

/** The IP configuration whose address the NIC has: the one marked primary, else the only or first one. */
export function primaryIpConfiguration(nic: NativeAzureNic): {
  config: NativeAzureNic["ipConfigurations"][number];
  at: number;
} {
  const marked = nic.ipConfigurations.findIndex((config) => config.primary === true);
  const at = marked === -1 ? 0 : marked;
  return { config: nic.ipConfigurations[at] as NativeAzureNic["ipConfigurations"][number], at };
}
