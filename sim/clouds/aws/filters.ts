import type { Ec2Filter } from "../../../lib/clouds/aws/api.js";
import type {
  AwsTag,
  Instance,
  ManagedPrefixList,
  NetworkInterface,
  SecurityGroup,
  Vpc,
} from "../../../lib/clouds/aws/model.js";
import { fail } from "./failures.js";

/**
 * EC2 describe filters: filters are ANDed, the values of one filter ORed, and a value may use
 * the `*` and `?` wildcards. Each resource type knows its own filter names; an unknown name is
 * an error, as in EC2, so that a misspelt filter cannot silently return everything.
 */
interface FilterTable<T> {
  /** Filter name → the item's values for it. */
  readonly fields: Readonly<Record<string, (item: T) => readonly (string | undefined)[]>>;
  /** Present when the resource supports `tag-key` and `tag:<key>`. */
  readonly tags?: (item: T) => readonly AwsTag[];
}

const instanceFilters: FilterTable<Instance> = {
  fields: {
    "instance-id": (instance) => [instance.InstanceId],
    "instance-state-name": (instance) => [instance.State.Name],
    "vpc-id": (instance) => [instance.VpcId],
    "private-ip-address": (instance) => [instance.PrivateIpAddress],
    "ip-address": (instance) => [instance.PublicIpAddress],
    "network-interface.network-interface-id": (instance) =>
      instance.NetworkInterfaces.map((eni) => eni.NetworkInterfaceId),
    "instance.group-id": (instance) =>
      instance.NetworkInterfaces.flatMap((eni) => eni.Groups.map((group) => group.GroupId)),
    "instance.group-name": (instance) =>
      instance.NetworkInterfaces.flatMap((eni) => eni.Groups.map((group) => group.GroupName)),
  },
  tags: (instance) => instance.Tags,
};

const interfaceFilters: FilterTable<NetworkInterface> = {
  fields: {
    "network-interface-id": (eni) => [eni.NetworkInterfaceId],
    "attachment.instance-id": (eni) => [eni.Attachment?.InstanceId],
    "vpc-id": (eni) => [eni.VpcId],
    "subnet-id": (eni) => [eni.SubnetId],
    "group-id": (eni) => eni.Groups.map((group) => group.GroupId),
    "group-name": (eni) => eni.Groups.map((group) => group.GroupName),
    "owner-id": (eni) => [eni.OwnerId],
    status: (eni) => [eni.Status],
    "private-ip-address": (eni) => [eni.PrivateIpAddress],
    "association.public-ip": (eni) => [eni.Association?.PublicIp],
  },
  tags: (eni) => eni.TagSet,
};

const groupFilters: FilterTable<SecurityGroup> = {
  fields: {
    "group-id": (group) => [group.GroupId],
    "group-name": (group) => [group.GroupName],
    "vpc-id": (group) => [group.VpcId],
    "owner-id": (group) => [group.OwnerId],
    description: (group) => [group.Description],
    "ip-permission.group-id": (group) =>
      group.IpPermissions.flatMap((permission) => permission.UserIdGroupPairs.map((pair) => pair.GroupId)),
    "ip-permission.prefix-list-id": (group) =>
      group.IpPermissions.flatMap((permission) => permission.PrefixListIds.map((ref) => ref.PrefixListId)),
    "egress.ip-permission.group-id": (group) =>
      group.IpPermissionsEgress.flatMap((permission) =>
        permission.UserIdGroupPairs.map((pair) => pair.GroupId),
      ),
  },
  tags: (group) => group.Tags,
};

/** DescribeManagedPrefixLists has no tag filters in EC2: callers filter on Tags themselves. */
const prefixListFilters: FilterTable<Omit<ManagedPrefixList, "Entries">> = {
  fields: {
    "prefix-list-id": (list) => [list.PrefixListId],
    "prefix-list-name": (list) => [list.PrefixListName],
    "owner-id": (list) => [list.OwnerId],
  },
};

const vpcFilters: FilterTable<Vpc> = {
  fields: {
    "vpc-id": (vpc) => [vpc.VpcId],
    "cidr-block": (vpc) => [vpc.CidrBlock],
  },
};

export const FILTERS = {
  DescribeInstances: instanceFilters,
  DescribeNetworkInterfaces: interfaceFilters,
  DescribeSecurityGroups: groupFilters,
  DescribeManagedPrefixLists: prefixListFilters,
  DescribeVpcs: vpcFilters,
};

export function applyFilters<T>(
  operation: keyof typeof FILTERS,
  table: FilterTable<T>,
  items: readonly T[],
  filters: readonly Ec2Filter[],
): T[] {
  if (filters.length === 0) {
    // Not an EC2 rule but the port's: unfiltered describes fall into a smaller throttle bucket
    // (docs/clouds.md, "AWS API throttling").
    throw fail.invalid("MissingParameter", `${operation} must be called with at least one filter.`);
  }
  const predicates = filters.map((filter) => predicateFor(operation, table, filter));
  return items.filter((item) => predicates.every((matches) => matches(item)));
}

function predicateFor<T>(operation: string, table: FilterTable<T>, filter: Ec2Filter): (item: T) => boolean {
  if (filter.Values.length === 0) {
    throw fail.invalid("InvalidParameterValue", `The filter '${filter.Name}' has no values.`);
  }
  // A value without a wildcard matches only itself: a set answers it, where a chunk of ids as
  // patterns made each item cost as many regular expressions as the chunk has values.
  const exact = new Set(filter.Values.filter((value) => !hasWildcard(value)));
  const patterns = filter.Values.filter(hasWildcard).map(wildcardPattern);
  const matchesAny = (values: readonly (string | undefined)[]) =>
    values.some(
      (value) => value !== undefined && (exact.has(value) || patterns.some((pattern) => pattern.test(value))),
    );
  const field = Object.hasOwn(table.fields, filter.Name) ? table.fields[filter.Name] : undefined;
  if (field !== undefined) return (item) => matchesAny(field(item));
  const tags = table.tags;
  if (tags !== undefined && filter.Name === "tag-key") {
    return (item) => matchesAny(tags(item).map((tag) => tag.Key));
  }
  if (tags !== undefined && filter.Name.startsWith("tag:") && filter.Name.length > 4) {
    const key = filter.Name.slice(4);
    return (item) =>
      matchesAny(
        tags(item)
          .filter((tag) => tag.Key === key)
          .map((tag) => tag.Value),
      );
  }
  throw fail.invalid("InvalidParameterValue", `The filter '${filter.Name}' is invalid for ${operation}.`);
}

/** Whether a filter value is a pattern rather than the value itself: it has `*`, `?` or `\`. */
function hasWildcard(value: string): boolean {
  return /[*?\\]/.test(value);
}

/** EC2 filter values: `*` is any run of characters, `?` one character, `\` escapes either. */
function wildcardPattern(value: string): RegExp {
  let source = "";
  for (let index = 0; index < value.length; index += 1) {
    const char = value[index] as string;
    if (char === "\\" && index + 1 < value.length) {
      index += 1;
      source += escapeRegExp(value[index] as string);
    } else if (char === "*") source += "[\\s\\S]*";
    else if (char === "?") source += "[\\s\\S]";
    else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`);
}

function escapeRegExp(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** How a describe finds, for one exact filter value, the records that can match it (by id, or an index). */
export type Lookups<T> = Readonly<Record<string, (value: string) => Iterable<T>>>;

/**
 * The records a describe needs to look at: for the first filter that `lookups` can answer and
 * whose values are all exact (no wildcard), the records those values find; otherwise `all`. A
 * superset of the matches: applyFilters still checks every filter on what they describe as.
 * Without it each describe read the whole region, so that a discovery in chunks was quadratic.
 */
export function candidates<T>(
  filters: readonly Ec2Filter[],
  lookups: Lookups<T>,
  all: () => Iterable<T>,
): T[] {
  const filter = filters.find(
    (f) => Object.hasOwn(lookups, f.Name) && f.Values.length > 0 && !f.Values.some(hasWildcard),
  );
  const lookup = filter === undefined ? undefined : lookups[filter.Name];
  if (filter === undefined || lookup === undefined) return [...all()];
  const found = new Set<T>();
  for (const value of filter.Values) for (const record of lookup(value)) found.add(record);
  return [...found];
}
