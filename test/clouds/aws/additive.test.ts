import { describe, expect, it } from "vitest";
import { additiveFindings, describePermission } from "../../../lib/clouds/aws/additive.js";
import type { IpPermission, SecurityGroup } from "../../../lib/clouds/aws/model.js";
import type { DestinationIntent } from "../../../lib/compile/model.js";

const VPC = "aws:111111111111:us-east-1:vpc-0a1b2c3d";
const destination: DestinationIntent = {
  key: `abc@${VPC}`,
  identity: "app=shop,role=db",
  hash: "abc",
  network: VPC,
  cloud: "aws",
  labels: { app: "shop", role: "db" },
  enforcement: "enforced",
  members: [],
  grants: [],
};
const permission = (over: Partial<IpPermission>): IpPermission => ({
  IpProtocol: "tcp",
  IpRanges: [],
  Ipv6Ranges: [],
  PrefixListIds: [],
  UserIdGroupPairs: [],
  ...over,
});
const group = (id: string, name: string, rules: IpPermission[]): SecurityGroup => ({
  GroupId: id,
  GroupName: name,
  Description: name,
  VpcId: "vpc-0a1b2c3d",
  OwnerId: "111111111111",
  IpPermissions: rules,
  IpPermissionsEgress: [],
  Tags: [],
});

describe("AWS additive attachment: what kept customer groups admit", () => {
  it("describes each inbound rule with its ports and every kind of source", () => {
    expect(
      [
        permission({ FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.8.0.0/16" }] }),
        permission({ IpProtocol: "udp", FromPort: 1000, ToPort: 2000, Ipv6Ranges: [{ CidrIpv6: "::/0" }] }),
        permission({ IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: "sg-0123" }] }),
        permission({
          IpProtocol: "icmp",
          FromPort: -1,
          ToPort: -1,
          PrefixListIds: [{ PrefixListId: "pl-0abc" }],
        }),
        permission({ FromPort: 0, ToPort: 65535 }),
      ].map((p) => describePermission(p)),
    ).toEqual([
      "tcp/22 from 10.8.0.0/16",
      "udp/1000-2000 from ::/0",
      "all traffic from every interface that carries sg-0123",
      "icmp from pl-0abc",
      "tcp/all ports from nothing",
    ]);
  });

  it("names a source group as it is given, and says that it admits every interface that carries it", () => {
    const rule = permission({ FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: "sg-0123" }] });
    expect(describePermission(rule, (id) => `web (${id})`)).toBe(
      "tcp/443 from every interface that carries web (sg-0123)",
    );
  });

  it("reports each kept group with inbound rules once, and none without", () => {
    const groups = new Map([
      [
        "sg-1",
        group("sg-1", "legacy-ssh", [
          permission({ FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }),
        ]),
      ],
      ["sg-2", group("sg-2", "egress-only", [])],
    ]);
    expect(
      additiveFindings(destination, "vpc-0a1b2c3d", ["sg-2", "sg-1", "sg-1", "sg-gone"], groups),
    ).toEqual([
      {
        code: "aws-additive-extra-flows",
        severity: "warning",
        subject: `abc@${VPC}|sg-1`,
        message:
          "app=shop,role=db in vpc-0a1b2c3d: customer group legacy-ssh (sg-1) stays (attachment: additive) and admits tcp/22 from 0.0.0.0/0, beyond what the policy allows",
      },
    ]);
  });
});
