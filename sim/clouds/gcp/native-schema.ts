/**
 * `native.gcp` of an estate: Compute objects that exist before segsync, as the Compute REST API
 * returns them and `gcloud … describe --format=json` prints them (docs/formats.md, "Estate").
 * Every field of the real shape (the SDK's Firewall and Instance) is accepted, the ones segsync
 * does not read are ignored, any other key is an error. A firewall rule is the whole rule
 * (Compute's defaults apply: priority 1000, INGRESS); of an instance, segsync reads which estate
 * workload it is (name and zone), its existing network tags and its NICs (network, addresses).
 */
import { z } from "zod";
import { Ipv4AddressSchema } from "../../address-schemas.js";
import { printedObject } from "../../native-shape.js";

const ProtocolSchema = printedObject(
  { IPProtocol: z.string().min(1), ports: z.array(z.string()).optional() },
  [],
);

export const NativeFirewallSchema = printedObject(
  {
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
  },
  ["creationTimestamp", "kind", "logConfig", "params"],
);

// What Compute returns of an instance beyond what segsync reads (the SDK's Instance).
const INSTANCE_FIELDS = [
  "advancedMachineFeatures",
  "canIpForward",
  "confidentialInstanceConfig",
  "cpuPlatform",
  "creationTimestamp",
  "deletionProtection",
  "description",
  "disks",
  "displayDevice",
  "fingerprint",
  "guestAccelerators",
  "hostname",
  "id",
  "instanceEncryptionKey",
  "keyRevocationActionType",
  "kind",
  "labelFingerprint",
  "labels",
  "lastStartTimestamp",
  "lastStopTimestamp",
  "lastSuspendedTimestamp",
  "localSsdEncryptionMode",
  "machineType",
  "metadata",
  "minCpuPlatform",
  "networkPerformanceConfig",
  "params",
  "privateIpv6GoogleAccess",
  "reservationAffinity",
  "resourcePolicies",
  "resourceStatus",
  "satisfiesPzi",
  "satisfiesPzs",
  "scheduling",
  "selfLink",
  "serviceAccounts",
  "shieldedInstanceConfig",
  "shieldedInstanceIntegrityPolicy",
  "sourceMachineImage",
  "sourceMachineImageEncryptionKey",
  "startRestricted",
  "status",
  "statusMessage",
  "workloadIdentityConfig",
];

// Of a NIC's access config, only its external address; of the NIC, which it is, its network and address.
const AccessConfigSchema = printedObject({ natIP: Ipv4AddressSchema.optional() }, [
  "kind",
  "type",
  "name",
  "networkTier",
  "setPublicPtr",
  "publicPtrDomainName",
  "externalIpv6",
  "externalIpv6PrefixLength",
  "securityPolicy",
]);

const NetworkInterfaceSchema = printedObject(
  {
    name: z.string().min(1).optional(),
    /** A network URL (…/projects/<project>/global/networks/<network>), as Compute returns it. */
    network: z.string().min(1),
    networkIP: Ipv4AddressSchema.optional(),
    accessConfigs: z.array(AccessConfigSchema).default([]),
  },
  [
    "kind",
    "subnetwork",
    "fingerprint",
    "stackType",
    "aliasIpRanges",
    "ipv6AccessConfigs",
    "ipv6Address",
    "internalIpv6PrefixLength",
    "ipv6AccessType",
    "nicType",
    "queueCount",
    "networkAttachment",
    "parentNicName",
    "vlan",
    "igmpQuery",
  ],
);

export const NativeGcpInstanceSchema = printedObject(
  {
    name: z.string().min(1),
    /** A zone name, or a zone URL (…/projects/<project>/zones/<zone>) when the name alone is ambiguous. */
    zone: z.string().min(1),
    tags: printedObject({ items: z.array(z.string()).default([]), fingerprint: z.string().optional() }, []),
    /** nic0 is the workload's own NIC; nic1 and on are its secondary NICs, each in another network. */
    networkInterfaces: z.array(NetworkInterfaceSchema).optional(),
  },
  INSTANCE_FIELDS,
);

export const NativeGcpSchema = z.strictObject({
  firewalls: z.array(NativeFirewallSchema).optional(),
  instances: z.array(NativeGcpInstanceSchema).optional(),
});

export type NativeFirewall = z.output<typeof NativeFirewallSchema>;
export type NativeGcpInstance = z.output<typeof NativeGcpInstanceSchema>;
export type NativeGcpInterface = z.output<typeof NetworkInterfaceSchema>;
export type NativeGcp = z.output<typeof NativeGcpSchema>;
