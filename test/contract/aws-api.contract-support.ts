/** Helpers of the AwsApi contract's cases (aws-api.contract.ts). */
import { expect } from "vitest";
import type { AwsApi } from "../../lib/clouds/aws/api.js";
import type { AwsApiError } from "../../lib/clouds/aws/errors.js";
import type { IpPermission, NetworkInterface, SecurityGroup } from "../../lib/clouds/aws/model.js";

export const OWNED = { Key: "segsync:managed", Value: "true" } as const;

let counter = 0;

/** A name no other case of this run uses: the moto server is shared by every case. */
export function uniqueName(base: string): string {
  counter += 1;
  return `${base}-${process.pid}-${counter}`;
}

/** A new VPC with a /16 of 10.0.0.0/8 that no other case of this run uses. */
export function vpcRange(): string {
  counter += 1;
  return `10.${counter % 250}.0.0/16`;
}

export function permission(
  protocol: string,
  ports: { readonly from?: number; readonly to?: number },
  sources: Partial<Omit<IpPermission, "IpProtocol" | "FromPort" | "ToPort">>,
): IpPermission {
  return {
    IpProtocol: protocol,
    ...(ports.from === undefined ? {} : { FromPort: ports.from }),
    ...(ports.to === undefined ? {} : { ToPort: ports.to }),
    IpRanges: [],
    Ipv6Ranges: [],
    PrefixListIds: [],
    UserIdGroupPairs: [],
    ...sources,
  };
}

export function tcp(port: number, sources: Partial<Omit<IpPermission, "IpProtocol">>): IpPermission {
  return permission("tcp", { from: port, to: port }, sources);
}

/** `count` /24s of 10.200.0.0/16, from `offset` on. */
export function cidrs(count: number, offset = 0): { CidrIp: string }[] {
  return Array.from({ length: count }, (_, index) => ({ CidrIp: `10.200.${offset + index}.0/24` }));
}

export async function newGroup(api: AwsApi, vpcId: string, base = "segsync-contract"): Promise<string> {
  const name = uniqueName(base);
  const { groupId } = await api.createSecurityGroup({
    vpcId,
    groupName: name,
    description: name,
    tags: [OWNED],
  });
  return groupId;
}

export async function groupOf(api: AwsApi, groupId: string): Promise<SecurityGroup | undefined> {
  const groups = await api.describeSecurityGroups([{ Name: "group-id", Values: [groupId] }]);
  expect(groups.length).toBeLessThanOrEqual(1);
  return groups[0];
}

export async function interfaceOf(api: AwsApi, eniId: string): Promise<NetworkInterface | undefined> {
  const enis = await api.describeNetworkInterfaces([{ Name: "network-interface-id", Values: [eniId] }]);
  return enis[0];
}

/** One line per rule, `protocol from-to source[ description]`, sorted: rules as EC2 counts them. */
export function ruleLines(permissions: readonly IpPermission[]): string[] {
  return permissions
    .flatMap((p) => {
      const head = `${p.IpProtocol} ${p.FromPort ?? ""}-${p.ToPort ?? ""}`;
      const line = (source: string, description: string | undefined) =>
        description === undefined ? `${head} ${source}` : `${head} ${source} ${description}`;
      return [
        ...p.IpRanges.map((range) => line(range.CidrIp, range.Description)),
        ...p.Ipv6Ranges.map((range) => line(range.CidrIpv6, range.Description)),
        ...p.PrefixListIds.map((ref) => line(ref.PrefixListId, ref.Description)),
        ...p.UserIdGroupPairs.map((pair) => line(pair.GroupId, pair.Description)),
      ];
    })
    .sort();
}

type ErrorClass = abstract new (...args: never[]) => AwsApiError;

/**
 * The call fails with an error of `type` carrying `code`; with `fromEc2`, its cause is EC2's error
 * (the SDK's service exception, named after the code), as the port's contract says.
 */
export async function expectAwsFailure(
  promise: Promise<unknown>,
  type: ErrorClass,
  code: string,
  { fromEc2 = true }: { readonly fromEc2?: boolean } = {},
): Promise<AwsApiError> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error, `expected ${type.name} ${code}`).toBeInstanceOf(type);
  const failure = error as AwsApiError;
  expect(failure.code).toBe(code);
  if (fromEc2) expect(failure.cause).toMatchObject({ name: code });
  return failure;
}
