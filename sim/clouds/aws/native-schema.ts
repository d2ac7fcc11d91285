/**
 * `native.aws` of an estate: EC2 objects that exist before segsync, in the shapes that
 * `aws ec2 describe-*` prints (docs/formats.md, "Estate"). Every field of the real shape (the
 * SDK's model types) is accepted, the ones segsync does not read are ignored, any other key is an
 * error. Lists that describe always prints may be left out (empty); fields that the estate already
 * says (an object's account) may be too.
 */
import { z } from "zod";
import { Ipv4AddressSchema } from "../../address-schemas.js";
import { printedObject } from "../../native-shape.js";

const hexId = (prefix: string) =>
  z
    .string()
    .regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), `not an EC2 id (${prefix}- and 8 to 17 hex digits)`);

export const VPC_ID = z
  .string()
  .regex(/^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, "not a VPC id (vpc- and 8 or 17 hex digits)");
const ACCOUNT = z.string().regex(/^\d{12}$/, "not an AWS account id (12 digits)");

const TagSchema = printedObject({ Key: z.string(), Value: z.string() }, []);

const IpPermissionSchema = printedObject(
  {
    IpProtocol: z.string().min(1),
    FromPort: z.number().int().optional(),
    ToPort: z.number().int().optional(),
    IpRanges: z
      .array(printedObject({ CidrIp: z.string(), Description: z.string().optional() }, []))
      .default([]),
    Ipv6Ranges: z
      .array(printedObject({ CidrIpv6: z.string(), Description: z.string().optional() }, []))
      .default([]),
    PrefixListIds: z
      .array(printedObject({ PrefixListId: hexId("pl"), Description: z.string().optional() }, []))
      .default([]),
    UserIdGroupPairs: z
      .array(
        printedObject(
          { GroupId: hexId("sg"), UserId: z.string().optional(), Description: z.string().optional() },
          // A pair names its group; its name, VPC and peering say nothing segsync reads.
          ["GroupName", "VpcId", "VpcPeeringConnectionId", "PeeringStatus"],
        ),
      )
      .default([]),
  },
  [],
);

/** What EC2 gives every new group; an estate that leaves out IpPermissionsEgress means this, not "no egress". */
const allowAllEgress = () => [
  {
    IpProtocol: "-1",
    IpRanges: [{ CidrIp: "0.0.0.0/0" }],
    Ipv6Ranges: [],
    PrefixListIds: [],
    UserIdGroupPairs: [],
  },
];

export const NativeSecurityGroupSchema = printedObject(
  {
    GroupId: hexId("sg"),
    GroupName: z.string().min(1),
    Description: z.string(),
    VpcId: VPC_ID,
    OwnerId: ACCOUNT.optional(),
    IpPermissions: z.array(IpPermissionSchema).default([]),
    IpPermissionsEgress: z.array(IpPermissionSchema).default(allowAllEgress),
    Tags: z.array(TagSchema).default([]),
  },
  ["SecurityGroupArn"],
);

export const NativePrefixListSchema = printedObject(
  {
    PrefixListId: hexId("pl"),
    PrefixListName: z.string().min(1),
    AddressFamily: z.enum(["IPv4", "IPv6"]),
    /** EC2 prints neither MaxEntries nor Version for an AWS-owned list (OwnerId `AWS`). */
    MaxEntries: z.number().int().positive().optional(),
    Version: z.number().int().positive().default(1),
    OwnerId: z.union([ACCOUNT, z.literal("AWS")]).optional(),
    // EC2 prints more states than its model lists ("active"); only modify-complete means anything here.
    State: z.string().min(1).default("create-complete"),
    /** arn:aws:ec2:<region>:<account>:prefix-list/<id>: says where the list is when nothing else does. */
    PrefixListArn: z.string().optional(),
    Tags: z.array(TagSchema).default([]),
    Entries: z.array(printedObject({ Cidr: z.string(), Description: z.string().optional() }, [])).default([]),
  },
  ["StateMessage", "IpamPrefixListResolverTargetId", "IpamPrefixListResolverSyncEnabled"],
);

// What describe-network-interfaces prints beyond what segsync reads (the SDK's NetworkInterface).
const NETWORK_INTERFACE_FIELDS = [
  "AvailabilityZoneId",
  "ConnectionTrackingConfiguration",
  "Description",
  "InterfaceType",
  "Ipv6Addresses",
  "MacAddress",
  "OutpostArn",
  "PrivateDnsName",
  "PublicDnsName",
  "PublicIpDnsNameOptions",
  "Ipv4Prefixes",
  "Ipv6Prefixes",
  "RequesterId",
  "RequesterManaged",
  "SourceDestCheck",
  "DenyAllIgwTraffic",
  "Ipv6Native",
  "Ipv6Address",
  "Operator",
  "AssociatedSubnets",
];

const AssociationSchema = printedObject({ PublicIp: Ipv4AddressSchema }, [
  "AllocationId",
  "AssociationId",
  "IpOwnerId",
  "PublicDnsName",
  "CustomerOwnedIp",
  "CarrierIp",
]);

export const NativeNetworkInterfaceSchema = printedObject(
  {
    NetworkInterfaceId: hexId("eni"),
    VpcId: VPC_ID,
    SubnetId: z.string().optional(),
    /** Read to see that the ENIs of one instance are in one Availability Zone, as EC2 requires. */
    AvailabilityZone: z.string().min(1).optional(),
    OwnerId: ACCOUNT.optional(),
    // EC2's statuses, and "pending", which create-network-interface prints; segsync reads the attachment.
    Status: z.enum(["available", "associated", "attaching", "in-use", "detaching", "pending"]).optional(),
    PrivateIpAddress: Ipv4AddressSchema,
    PrivateIpAddresses: z
      .array(
        printedObject(
          { PrivateIpAddress: z.string(), Primary: z.boolean(), Association: AssociationSchema.optional() },
          ["PrivateDnsName"],
        ),
      )
      .optional(),
    Association: AssociationSchema.optional(),
    Groups: z
      .array(printedObject({ GroupId: hexId("sg"), GroupName: z.string().optional() }, []))
      .default([]),
    Attachment: printedObject(
      {
        InstanceId: hexId("i").optional(),
        DeviceIndex: z.number().int().nonnegative().optional(),
        AttachmentId: z.string().optional(),
      },
      [
        "AttachTime",
        "DeleteOnTermination",
        "NetworkCardIndex",
        "InstanceOwnerId",
        "Status",
        "EnaSrdSpecification",
        "EnaQueueCount",
      ],
    ).optional(),
    TagSet: z.array(TagSchema).default([]),
  },
  NETWORK_INTERFACE_FIELDS,
);

export const NativeAwsSchema = z.strictObject({
  securityGroups: z.array(NativeSecurityGroupSchema).optional(),
  managedPrefixLists: z.array(NativePrefixListSchema).optional(),
  networkInterfaces: z.array(NativeNetworkInterfaceSchema).optional(),
});

export type NativeSecurityGroup = z.output<typeof NativeSecurityGroupSchema>;
export type NativePrefixList = z.output<typeof NativePrefixListSchema>;
export type NativeNetworkInterface = z.output<typeof NativeNetworkInterfaceSchema>;
export type NativeAws = z.output<typeof NativeAwsSchema>;
