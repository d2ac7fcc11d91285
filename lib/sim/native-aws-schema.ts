/**
 * `native.aws` of an estate: EC2 objects that exist before segsync, in the shapes that
 * `aws ec2 describe-*` prints (docs/formats.md, "Estate"), strict so that a misspelt field is an
 * error. Lists that describe always prints may be left out (empty); fields that the estate already
 * says (an object's account) may be too.
 */
import { z } from "zod";
import { Ipv4AddressSchema } from "./address-schemas.js";

const hexId = (prefix: string) =>
  z
    .string()
    .regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), `not an EC2 id (${prefix}- and 8 to 17 hex digits)`);

export const VPC_ID = z
  .string()
  .regex(/^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, "not a VPC id (vpc- and 8 or 17 hex digits)");
const ACCOUNT = z.string().regex(/^\d{12}$/, "not an AWS account id (12 digits)");

const TagSchema = z.strictObject({ Key: z.string(), Value: z.string() });

const IpPermissionSchema = z.strictObject({
  IpProtocol: z.string().min(1),
  FromPort: z.number().int().optional(),
  ToPort: z.number().int().optional(),
  IpRanges: z.array(z.strictObject({ CidrIp: z.string(), Description: z.string().optional() })).default([]),
  Ipv6Ranges: z
    .array(z.strictObject({ CidrIpv6: z.string(), Description: z.string().optional() }))
    .default([]),
  PrefixListIds: z
    .array(z.strictObject({ PrefixListId: hexId("pl"), Description: z.string().optional() }))
    .default([]),
  UserIdGroupPairs: z
    .array(
      z.strictObject({
        GroupId: hexId("sg"),
        UserId: z.string().optional(),
        Description: z.string().optional(),
      }),
    )
    .default([]),
});

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

export const NativeSecurityGroupSchema = z.strictObject({
  GroupId: hexId("sg"),
  GroupName: z.string().min(1),
  Description: z.string(),
  VpcId: VPC_ID,
  OwnerId: ACCOUNT.optional(),
  IpPermissions: z.array(IpPermissionSchema).default([]),
  IpPermissionsEgress: z.array(IpPermissionSchema).default(allowAllEgress),
  Tags: z.array(TagSchema).default([]),
});

export const NativePrefixListSchema = z.strictObject({
  PrefixListId: hexId("pl"),
  PrefixListName: z.string().min(1),
  AddressFamily: z.enum(["IPv4", "IPv6"]),
  MaxEntries: z.number().int().positive(),
  Version: z.number().int().positive().default(1),
  OwnerId: ACCOUNT.optional(),
  State: z.enum(["create-complete", "modify-complete"]).default("create-complete"),
  /** arn:aws:ec2:<region>:<account>:prefix-list/<id>: says where the list is when nothing else does. */
  PrefixListArn: z.string().optional(),
  Tags: z.array(TagSchema).default([]),
  Entries: z.array(z.strictObject({ Cidr: z.string(), Description: z.string().optional() })).default([]),
});

const AssociationSchema = z.strictObject({ PublicIp: Ipv4AddressSchema });

export const NativeNetworkInterfaceSchema = z.strictObject({
  NetworkInterfaceId: hexId("eni"),
  VpcId: VPC_ID,
  SubnetId: z.string().optional(),
  OwnerId: ACCOUNT.optional(),
  Status: z.enum(["in-use", "available"]).optional(),
  PrivateIpAddress: Ipv4AddressSchema,
  PrivateIpAddresses: z
    .array(
      z.strictObject({
        PrivateIpAddress: z.string(),
        Primary: z.boolean(),
        Association: AssociationSchema.optional(),
      }),
    )
    .optional(),
  Association: AssociationSchema.optional(),
  Groups: z.array(z.strictObject({ GroupId: hexId("sg"), GroupName: z.string().optional() })).default([]),
  Attachment: z
    .strictObject({
      InstanceId: hexId("i").optional(),
      DeviceIndex: z.number().int().nonnegative().optional(),
      AttachmentId: z.string().optional(),
    })
    .optional(),
  TagSet: z.array(TagSchema).default([]),
});

export const NativeAwsSchema = z.strictObject({
  securityGroups: z.array(NativeSecurityGroupSchema).optional(),
  managedPrefixLists: z.array(NativePrefixListSchema).optional(),
  networkInterfaces: z.array(NativeNetworkInterfaceSchema).optional(),
});

export type NativeSecurityGroup = z.output<typeof NativeSecurityGroupSchema>;
export type NativePrefixList = z.output<typeof NativePrefixListSchema>;
export type NativeNetworkInterface = z.output<typeof NativeNetworkInterfaceSchema>;
export type NativeAws = z.output<typeof NativeAwsSchema>;
