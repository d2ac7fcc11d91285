import { describe, expect, it } from "vitest";
import { describeIssues } from "../../lib/inventory/issues.js";
import {
  CidrSchema,
  InventorySchema,
  IpAddressSchema,
  NetworkSchema,
  WorkloadSchema,
} from "../../lib/inventory/schema.js";
import { AWS_VPC, awsWeb, azureApi, GCP_NET, gcpDb, NETWORKS } from "./fixtures.js";

function issuesOf(
  schema: { safeParse(value: unknown): { success: boolean; error?: unknown } },
  value: unknown,
) {
  const result = schema.safeParse(value);
  if (result.success) throw new Error("expected a parse failure");
  return describeIssues(result.error as Parameters<typeof describeIssues>[0]);
}

describe("IpAddressSchema", () => {
  it("accepts single IPv4 and IPv6 addresses in canonical text", () => {
    for (const address of ["10.0.0.1", "0.0.0.0", "255.255.255.255", "2001:db8::1", "::1"]) {
      expect(IpAddressSchema.safeParse(address).success, address).toBe(true);
    }
  });

  it("rejects blocks, legacy forms and non-canonical text, saying what to write", () => {
    expect(issuesOf(IpAddressSchema, "10.0.0.0/8")).toEqual([
      '$: "10.0.0.0/8" is not a single IPv4 or IPv6 address',
    ]);
    expect(issuesOf(IpAddressSchema, "10.1")[0]).toContain("not a single IPv4 or IPv6 address");
    expect(issuesOf(IpAddressSchema, "2001:DB8::1")).toEqual([
      '$: "2001:DB8::1" is not in canonical form: write "2001:db8::1"',
    ]);
    expect(IpAddressSchema.safeParse(10).success).toBe(false);
  });
});

describe("CidrSchema", () => {
  it("accepts canonical blocks and rejects host bits, bare addresses and non-canonical text", () => {
    expect(CidrSchema.safeParse("10.1.0.0/16").success).toBe(true);
    expect(issuesOf(CidrSchema, "10.1.0.1/16")[0]).toContain("host bits set");
    expect(issuesOf(CidrSchema, "10.1.0.1")[0]).toContain("it has no prefix length");
    expect(issuesOf(CidrSchema, "2001:DB8::/32")[0]).toContain('write "2001:db8::/32"');
  });
});

describe("WorkloadSchema", () => {
  it("accepts workloads of every cloud", () => {
    for (const workload of [awsWeb(), azureApi(), gcpDb()]) {
      expect(WorkloadSchema.parse(workload)).toEqual(workload);
    }
  });

  it("names the path of every problem at once", () => {
    const bad = {
      id: "aws:1:us-east-1:i-0a000001",
      state: "terminated",
      nics: [{ network: AWS_VPC, privateIp: "10.1.0.300" }],
      tags: { Name: 7 },
    };
    const issues = issuesOf(WorkloadSchema, bad);
    expect(issues).toHaveLength(4);
    expect(issues[0]).toMatch(/^\$\.id: .*account "1" must be 12 digits/);
    expect(issues[1]).toMatch(/^\$\.state: /);
    expect(issues[2]).toMatch(/^\$\.nics\[0\]\.privateIp: "10\.1\.0\.300" is not a single/);
    expect(issues[3]).toMatch(/^\$\.tags\.Name: /);
  });

  it("requires at least one NIC", () => {
    expect(issuesOf(WorkloadSchema, awsWeb({ nics: [] }))).toEqual([
      "$.nics: a workload has at least one NIC",
    ]);
  });

  it("rejects unknown fields (strict objects), in the workload and in its NICs", () => {
    expect(issuesOf(WorkloadSchema, { ...awsWeb(), labels: {} })[0]).toMatch(/^\$: .*labels/);
    const nic = { network: AWS_VPC, privateIp: "10.1.0.11", privateIP: "10.1.0.12" };
    expect(issuesOf(WorkloadSchema, awsWeb({ nics: [nic] }))[0]).toMatch(/^\$\.nics\[0\]: .*privateIP/);
  });

  it("rejects a NIC in another cloud's network", () => {
    const workload = awsWeb({ nics: [{ network: GCP_NET, privateIp: "10.3.0.9" }] });
    expect(issuesOf(WorkloadSchema, workload)).toEqual([
      `$.nics[0].network: network ${GCP_NET} is in gcp, but the workload is in aws`,
    ]);
  });
});

describe("NetworkSchema", () => {
  it("accepts networks with and without cidr and region", () => {
    for (const network of [...NETWORKS, { id: GCP_NET }])
      expect(NetworkSchema.parse(network)).toEqual(network);
  });

  it("rejects bad ids and cidrs", () => {
    expect(issuesOf(NetworkSchema, { id: "gcp:shop-prod:Prod", cidr: "10.0.0.0/33" })).toHaveLength(2);
  });
});

describe("InventorySchema", () => {
  it("accepts a whole inventory", () => {
    const inventory = { workloads: [awsWeb(), azureApi(), gcpDb()], networks: [...NETWORKS] };
    expect(InventorySchema.parse(inventory)).toEqual(inventory);
  });

  it("rejects ids listed twice, at the repetition", () => {
    const inventory = { workloads: [awsWeb(), azureApi(), awsWeb()], networks: [...NETWORKS, NETWORKS[0]] };
    expect(issuesOf(InventorySchema, inventory)).toEqual([
      `$.workloads[2].id: workload ${awsWeb().id} is listed twice (first at index 0)`,
      `$.networks[3].id: network ${AWS_VPC} is listed twice (first at index 0)`,
    ]);
  });
});
