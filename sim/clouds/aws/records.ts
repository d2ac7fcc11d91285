import type { AwsInstanceStateName } from "../../../lib/clouds/aws/model.js";
import type { SimRule } from "./rules.js";
import type { TagMap } from "./tags.js";

/** The simulator's mutable records; describe calls and state() turn them into model.ts shapes. */

export interface SimInstance {
  readonly instanceId: string;
  readonly vpcId: string;
  state: AwsInstanceStateName;
  tags: TagMap;
}

export interface SimAttachment {
  readonly instanceId: string;
  readonly deviceIndex: number;
  readonly attachmentId: string;
}

export interface SimSecondaryAddress {
  readonly privateIp: string;
  readonly publicIp?: string;
}

export interface SimInterface {
  readonly networkInterfaceId: string;
  readonly vpcId: string;
  readonly subnetId?: string;
  readonly privateIp: string;
  publicIp?: string;
  /** Further private addresses, each with its own public address, as a loaded state lists them. */
  readonly secondaryAddresses?: readonly SimSecondaryAddress[];
  /** In the order given: EC2 keeps the list as written. */
  groupIds: string[];
  attachment?: SimAttachment;
  tags: TagMap;
}

export interface SimSecurityGroup {
  readonly groupId: string;
  readonly groupName: string;
  readonly description: string;
  readonly vpcId: string;
  /** By ruleKey. */
  ingress: Map<string, SimRule>;
  egress: Map<string, SimRule>;
  tags: TagMap;
}

export interface SimPrefixList {
  readonly prefixListId: string;
  readonly name: string;
  readonly addressFamily: "IPv4" | "IPv6";
  /** Absent, with the version, on AWS-managed lists: EC2 returns neither for them (model.ts). */
  readonly maxEntries?: number;
  /** The owner: the location's account, or `AWS` for AWS-managed lists. */
  readonly ownerId: string;
  version?: number;
  state: "create-complete" | "modify-complete";
  tags: TagMap;
  /** CIDR → description. */
  entries: Map<string, string | undefined>;
}
