import type { AwsIpProtocol, AwsLocation, IpPermission } from "./model.js";

/** An owned group: by id when it exists, by name when an earlier operation of the plan creates it. */
export type GroupRef = { readonly groupId: string } | { readonly create: string; readonly vpcId: string };
export type PrefixListRef = { readonly prefixListId: string } | { readonly create: string };

export interface RuleSpec {
  readonly protocol: AwsIpProtocol | "58";
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly source:
    | { readonly kind: "cidr"; readonly cidr: string }
    | { readonly kind: "group"; readonly group: GroupRef }
    | { readonly kind: "prefixList"; readonly prefixList: PrefixListRef };
}

/** Every owned rule carries this description; revokes repeat a rule exactly as it was read. */
export const RULE_DESCRIPTION = "segsync";

/**
 * One native write. A plan is a list of these in make-before-break order (diff.ts): create,
 * add rules, grow prefix lists, attach the new groups, then detach, revoke and delete the old.
 */
export type AwsOperation = { readonly location: AwsLocation } & (
  | {
      readonly kind: "createPrefixList";
      readonly name: string;
      readonly identity: string;
      readonly addressFamily: "IPv4" | "IPv6";
      readonly maxEntries: number;
      readonly entries: readonly string[];
    }
  | {
      readonly kind: "createSecurityGroup";
      readonly vpcId: string;
      readonly name: string;
      readonly identity: string;
      readonly description: string;
    }
  | {
      readonly kind: "authorizeIngress";
      readonly groupName: string;
      readonly group: GroupRef;
      readonly rules: readonly RuleSpec[];
    }
  | {
      /** Egress rules (v2) added to an owned group: the destinations its members may send to. */
      readonly kind: "authorizeEgress";
      readonly groupName: string;
      readonly group: GroupRef;
      readonly rules: readonly RuleSpec[];
    }
  | {
      readonly kind: "modifyPrefixList";
      readonly name: string;
      readonly prefixListId: string;
      readonly currentVersion: number;
      readonly add: readonly string[];
      readonly remove: readonly string[];
      /** Only removes entries: applied with the revokes, after every list's additions (diff.ts). */
      readonly narrowsLater?: true;
    }
  | {
      readonly kind: "recordOriginalGroups";
      readonly networkInterfaceId: string;
      readonly groupIds: readonly string[];
    }
  | {
      /**
       * Make before break (docs/internals.md): segsync's groups added to an ENI beside the groups
       * it has, before any ENI of the plan loses a group. Two ENIs that a customer group lets talk
       * (the VPC's default group admits its own members) keep talking while the plan moves them one
       * by one: each already carries its new group when the other loses the old one.
       */
      readonly kind: "addInterfaceGroups";
      readonly networkInterfaceId: string;
      /** "" for an ENI attached to no instance. */
      readonly workload: string;
      readonly before: readonly string[];
      readonly after: readonly GroupRef[];
    }
  | {
      readonly kind: "setInterfaceGroups";
      readonly networkInterfaceId: string;
      /** "" for an ENI attached to no instance. */
      readonly workload: string;
      readonly before: readonly string[];
      readonly after: readonly GroupRef[];
    }
  | {
      readonly kind: "revokeIngress";
      readonly groupName: string;
      readonly groupId: string;
      readonly permissions: readonly IpPermission[];
      /**
       * Revoked before the group's new rules are added, because old and new together would
       * exceed the rule quota. Only rules no longer wanted are revoked this early.
       */
      readonly toMakeRoom?: true;
    }
  | {
      /**
       * Egress rules revoked from an owned group: stale ones, or EC2's allow-all egress where
       * egress is enforced (v2). A group the plan creates is named by its ref.
       */
      readonly kind: "revokeEgress";
      readonly groupName: string;
      readonly group: GroupRef;
      readonly permissions: readonly IpPermission[];
      /** Revoked before the group's new egress rules are added (see revokeIngress). */
      readonly toMakeRoom?: true;
    }
  | { readonly kind: "forgetOriginalGroups"; readonly networkInterfaceId: string }
  | { readonly kind: "deleteSecurityGroup"; readonly groupId: string; readonly name: string }
  | { readonly kind: "deletePrefixList"; readonly prefixListId: string; readonly name: string }
);

export type AwsOperationKind = AwsOperation["kind"];

/** The make-before-break order of operation kinds. */
export const OPERATION_ORDER: readonly AwsOperationKind[] = [
  "createPrefixList",
  "createSecurityGroup",
  "authorizeIngress",
  "authorizeEgress",
  "modifyPrefixList",
  "recordOriginalGroups",
  "addInterfaceGroups",
  "setInterfaceGroups",
  "revokeIngress",
  "revokeEgress",
  "forgetOriginalGroups",
  "deleteSecurityGroup",
  "deletePrefixList",
];
