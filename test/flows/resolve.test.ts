/** Connections → what talked to what (docs/flows.md, "Resolution"): each kind, ambiguity, reporters, NAT, IPv6, ipLists, time. */
import { expect, describe as group, it } from "vitest";
import { FlowResolutionError } from "../../lib/flows/errors.js";
import { AddressIndex, inventoryResolver, resolveConnection } from "../../lib/flows/resolve.js";
import type { Inventory } from "../../lib/inventory/model.js";
import { connection, examples, policyOf, VPC_A, VPC_B, VPC_C, workload } from "./resolve-support.js";

const GCP_NET = "gcp:shop-prod:prod-net";

const EXAMPLES = await examples();

group("resolveConnection on examples/estate.yaml and examples/policy.yaml", () => {
  const index = new AddressIndex(EXAMPLES.inventory, EXAMPLES.policy);
  const ends = (initiatorAddress: string, responderAddress: string) =>
    resolveConnection(connection({ initiatorAddress, responderAddress }), index);

  it("a private address in its network is its workload; a public address too; a stopped workload keeps its address", () => {
    const { initiator, responder } = ends("10.1.0.11", "10.1.0.31");
    expect(initiator).toEqual({
      kind: "workload",
      address: "10.1.0.11",
      workload: "aws:111111111111:us-east-1:i-0a00000000000001",
      network: VPC_A,
      by: "private",
    });
    expect(responder).toMatchObject({
      kind: "workload",
      workload: "aws:111111111111:us-east-1:i-0a00000000000004",
    });
    expect(ends("54.0.0.11", "10.5.0.21").initiator).toMatchObject({
      kind: "workload",
      workload: "aws:111111111111:us-east-1:i-0a00000000000001",
      by: "public",
    });
    expect(ends("54.0.0.11", "10.5.0.21").responder).toMatchObject({
      workload: "aws:222222222222:us-west-2:i-0b00000000000002",
    });
  });

  it("a NAT address is every running workload without a public address behind it", () => {
    expect(ends("203.0.113.10", "10.1.0.31").initiator).toEqual({
      kind: "nat",
      address: "203.0.113.10",
      cidr: "203.0.113.10/32",
      networks: [GCP_NET],
      workloads: [
        "gcp:blog-prod-data:us-central1-b:blog-db-1",
        "gcp:shop-prod:us-central1-a:shop-db-2",
        "gcp:shop-prod:us-central1-b:blog-api-dev",
      ],
    });
  });

  it("an address in an ipList is the ipList's; any other is outside", () => {
    expect(ends("10.8.3.4", "198.51.100.7")).toMatchObject({
      initiator: { kind: "ipList", ipList: "corp-vpn", cidr: "10.8.0.0/16", alsoIn: [] },
      responder: { kind: "outside", address: "198.51.100.7" },
    });
  });

  it("keeps the connection's service, action, direction, times and counts, and names no snapshot", () => {
    const resolved = resolveConnection(
      connection({
        protocol: 17,
        responderPort: 53,
        action: "reject",
        directionKnown: false,
        first: 5,
        last: 9,
      }),
      index,
    );
    expect(resolved).toMatchObject({
      service: { protocol: 17, port: 53 },
      action: "reject",
      directionKnown: false,
      first: 5,
      last: 9,
      packets: 10,
      bytes: 1_000,
      records: 2,
    });
    expect(resolved).not.toHaveProperty("inventoryTime");
    const icmp = resolveConnection(connection({ protocol: 1, responderPort: undefined }), index);
    expect(icmp.service).toEqual({ protocol: 1 });
  });
});

/** 10.0.0.5 in two networks (B and C), each workload reporting on its own interface; A is connected to C. */
const shared: Inventory = {
  networks: [{ id: VPC_A }, { id: VPC_B }, { id: VPC_C }],
  workloads: [
    workload("aws:111111111111:us-east-1:i-0000000b", [
      { id: "eni-b", network: VPC_B, privateIp: "10.0.0.5" },
    ]),
    workload("aws:111111111111:us-east-1:i-0000000c", [
      { id: "eni-c", network: VPC_C, privateIp: "10.0.0.5" },
    ]),
    workload("aws:111111111111:us-east-1:i-000000b2", [
      { id: "eni-b2", network: VPC_B, privateIp: "10.0.0.9" },
    ]),
    workload("aws:111111111111:us-east-1:i-0000000a", [
      { id: "eni-a", network: VPC_A, privateIp: "10.9.0.1" },
    ]),
  ],
};
const sharedIndex = new AddressIndex(shared, policyOf({ connected: [[VPC_A, VPC_C]] }));

group("an address two networks share", () => {
  it("is ambiguous when nothing tells them apart, with its candidates", () => {
    const resolved = resolveConnection(connection({ initiatorAddress: "10.0.0.5" }), sharedIndex);
    expect(resolved.initiator).toEqual({
      kind: "ambiguous",
      address: "10.0.0.5",
      candidates: [
        { workload: "aws:111111111111:us-east-1:i-0000000b", network: VPC_B },
        { workload: "aws:111111111111:us-east-1:i-0000000c", network: VPC_C },
      ],
    });
  });

  it("is the one in the network the log was captured in, or the reporter's", () => {
    const inB = resolveConnection(connection({ initiatorAddress: "10.0.0.5" }), sharedIndex, {
      network: VPC_B,
    });
    expect(inB.initiator).toMatchObject({ kind: "workload", network: VPC_B, by: "private" });
    const reportedInB = connection({
      initiatorAddress: "10.0.0.9",
      responderAddress: "10.0.0.5",
      reportedBy: [{ kind: "interface", id: "eni-b2" }],
    });
    expect(resolveConnection(reportedInB, sharedIndex).responder).toMatchObject({
      network: VPC_B,
      by: "private",
    });
  });

  it("is the one in a network connected to the reporter's when none is in it", () => {
    const fromA = connection({
      initiatorAddress: "10.9.0.1",
      responderAddress: "10.0.0.5",
      reportedBy: [{ kind: "interface", id: "eni-a" }],
    });
    expect(resolveConnection(fromA, sharedIndex).responder).toMatchObject({ network: VPC_C });
  });

  it("is the reporting interface's own, whatever the network says: the interface id beats the address", () => {
    const onC = connection({
      initiatorAddress: "10.0.0.5",
      reportedBy: [{ kind: "interface", id: "eni-c" }],
    });
    const resolved = resolveConnection(onC, sharedIndex, { network: VPC_B });
    expect(resolved.initiator).toEqual({
      kind: "workload",
      address: "10.0.0.5",
      workload: "aws:111111111111:us-east-1:i-0000000c",
      network: VPC_C,
      by: "interface",
    });
  });

  it("is the reporting instance's own, named as AWS or GCP logs name it", () => {
    const aws = connection({
      initiatorAddress: "10.0.0.5",
      reportedBy: [{ kind: "instance", id: "i-0000000b" }],
    });
    expect(resolveConnection(aws, sharedIndex).initiator).toMatchObject({ network: VPC_B, by: "instance" });
    const gcpIndex = new AddressIndex(
      {
        networks: [{ id: GCP_NET }],
        workloads: [
          workload("gcp:shop-prod:us-central1-a:db-1", [{ network: GCP_NET, privateIp: "10.3.0.11" }]),
        ],
      },
      policyOf({}),
    );
    const gcp = connection({
      responderAddress: "10.3.0.11",
      reportedBy: [{ kind: "instance", id: "projects/shop-prod/zones/us-central1-a/instances/db-1" }],
    });
    expect(resolveConnection(gcp, gcpIndex).responder).toMatchObject({
      workload: "gcp:shop-prod:us-central1-a:db-1",
      by: "instance",
    });
  });

  it("an interface id several NICs carry (GCP's nic0) tells nothing", () => {
    const nic0 = new AddressIndex(
      {
        networks: [{ id: VPC_B }, { id: VPC_C }],
        workloads: [
          workload("gcp:shop-prod:us-central1-a:b", [{ id: "nic0", network: VPC_B, privateIp: "10.0.0.5" }]),
          workload("gcp:shop-prod:us-central1-a:c", [{ id: "nic0", network: VPC_C, privateIp: "10.0.0.5" }]),
          workload("gcp:shop-prod:us-central1-a:d", [{ id: "nic0", network: VPC_C, privateIp: "10.0.0.7" }]),
        ],
      },
      policyOf({}),
    );
    const reported = connection({
      initiatorAddress: "10.0.0.5",
      reportedBy: [{ kind: "interface", id: "nic0" }],
    });
    expect(resolveConnection(reported, nic0).initiator.kind).toBe("ambiguous");
  });

  it("an interface the inventory does not know (an Azure MAC) tells nothing", () => {
    const unknown = connection({
      initiatorAddress: "10.0.0.5",
      reportedBy: [{ kind: "interface", id: "00224871C205" }],
    });
    expect(resolveConnection(unknown, sharedIndex).initiator.kind).toBe("ambiguous");
  });
});

group("ipLists", () => {
  const index = new AddressIndex(
    {
      networks: [{ id: VPC_A }],
      workloads: [
        workload("aws:111111111111:us-east-1:i-00000001", [{ network: VPC_A, privateIp: "10.1.2.3" }]),
      ],
    },
    policyOf({
      ipLists: {
        wide: ["10.0.0.0/8"],
        "b-narrow": ["10.1.2.0/24"],
        "a-narrow": ["10.1.2.0/24", "192.0.2.0/24"],
        v6: ["2001:db8::/32"],
      },
    }),
  );
  const initiator = (address: string) =>
    resolveConnection(connection({ initiatorAddress: address }), index).initiator;

  it("takes the most specific CIDR; of ipLists with the same CIDR, the first by name", () => {
    expect(initiator("10.9.9.9")).toMatchObject({ kind: "ipList", ipList: "wide", cidr: "10.0.0.0/8" });
    expect(initiator("10.1.2.200")).toEqual({
      kind: "ipList",
      address: "10.1.2.200",
      ipList: "a-narrow",
      cidr: "10.1.2.0/24",
      alsoIn: ["b-narrow"],
    });
  });

  it("a workload wins over an ipList", () => {
    expect(initiator("10.1.2.3")).toMatchObject({ kind: "workload", by: "private" });
  });

  it("IPv6: a workload's address in any written form is its; an address no workload holds is an ipList's or outside", () => {
    const v6 = new AddressIndex(
      {
        networks: [{ id: VPC_A }],
        workloads: [
          workload("aws:111111111111:us-east-1:i-00000006", [
            { network: VPC_A, privateIp: "10.0.0.6", publicIp: "2600:1F18:0:0::10" },
          ]),
        ],
      },
      policyOf({ ipLists: { v6: ["2001:db8::/32"] } }),
    );
    const resolve = (address: string) =>
      resolveConnection(connection({ initiatorAddress: address }), v6).initiator;
    expect(resolve("2600:1f18::10")).toMatchObject({
      kind: "workload",
      address: "2600:1f18::10",
      by: "public",
    });
    expect(resolve("2001:db8::1")).toMatchObject({ kind: "ipList", ipList: "v6" });
    expect(resolve("2a00::1")).toEqual({ kind: "outside", address: "2a00::1" });
    expect(initiator("2001:db8:1::5")).toMatchObject({ kind: "ipList", ipList: "v6" });
  });
});

group("NAT addresses", () => {
  it("a NAT range or a NAT two networks share stands for the running workloads of every network behind it", () => {
    const index = new AddressIndex(
      {
        networks: [{ id: VPC_A }, { id: VPC_B }],
        workloads: [
          workload("aws:111111111111:us-east-1:i-0000000a", [{ network: VPC_A, privateIp: "10.0.0.1" }]),
          workload("aws:111111111111:us-east-1:i-0000000b", [{ network: VPC_B, privateIp: "10.1.0.1" }]),
          workload(
            "aws:111111111111:us-east-1:i-0000000c",
            [{ network: VPC_B, privateIp: "10.1.0.2" }],
            "stopped",
          ),
          workload("aws:111111111111:us-east-1:i-0000000d", [
            { network: VPC_B, privateIp: "10.1.0.3", publicIp: "198.51.100.3" },
          ]),
        ],
      },
      policyOf({ nat: { [VPC_A]: ["198.51.100.0/30"], [VPC_B]: ["198.51.100.0/30"] } }),
    );
    const resolved = resolveConnection(connection({ initiatorAddress: "198.51.100.2" }), index);
    expect(resolved.initiator).toEqual({
      kind: "nat",
      address: "198.51.100.2",
      cidr: "198.51.100.0/30",
      networks: [VPC_A, VPC_B],
      workloads: ["aws:111111111111:us-east-1:i-0000000a", "aws:111111111111:us-east-1:i-0000000b"],
    });
    // A workload's own public address inside the NAT range is the NAT's: the policy says traffic leaves from it.
    expect(resolveConnection(connection({ initiatorAddress: "198.51.100.3" }), index).initiator.kind).toBe(
      "nat",
    );
  });
});

group("the inventory of a connection's time", () => {
  const at = (privateIp: string, id: string): Inventory => ({
    networks: [{ id: VPC_A }],
    workloads: [workload(id, [{ network: VPC_A, privateIp }])],
  });
  const timeline = inventoryResolver(
    [
      { time: 5_000, inventory: at("10.0.0.1", "aws:111111111111:us-east-1:i-00000002") },
      { time: 0, inventory: at("10.0.0.1", "aws:111111111111:us-east-1:i-00000001") },
    ],
    policyOf({}),
  );
  const at1 = (first: number) =>
    resolveConnection(connection({ initiatorAddress: "10.0.0.1", first }), timeline);

  it("resolves against the latest snapshot at or before the connection's first record", () => {
    expect(at1(4_999)).toMatchObject({
      initiator: { workload: "aws:111111111111:us-east-1:i-00000001" },
      inventoryTime: 0,
    });
    expect(at1(5_000)).toMatchObject({
      initiator: { workload: "aws:111111111111:us-east-1:i-00000002" },
      inventoryTime: 5_000,
    });
    expect(at1(9_999_999).inventoryTime).toBe(5_000);
  });

  it("before the first snapshot, against the first", () => {
    expect(at1(-1)).toMatchObject({
      initiator: { workload: "aws:111111111111:us-east-1:i-00000001" },
      inventoryTime: 0,
    });
  });

  it("one inventory: every connection against it", () => {
    const one = inventoryResolver(at("10.0.0.1", "aws:111111111111:us-east-1:i-00000001"), policyOf({}));
    const resolved = resolveConnection(connection({ initiatorAddress: "10.0.0.1", first: 123 }), one);
    expect(resolved.initiator).toMatchObject({ workload: "aws:111111111111:us-east-1:i-00000001" });
    expect(resolved).not.toHaveProperty("inventoryTime");
  });

  it("refuses no snapshot, two at one time, and a time that is not one", () => {
    const inventory = at("10.0.0.1", "aws:111111111111:us-east-1:i-00000001");
    expect(() => inventoryResolver([], policyOf({}))).toThrow(FlowResolutionError);
    expect(() =>
      inventoryResolver(
        [
          { time: 7, inventory },
          { time: 7, inventory },
        ],
        policyOf({}),
      ),
    ).toThrow(/two inventory snapshots at 1970-01-01T00:00:00.007Z/);
    expect(() => inventoryResolver([{ time: Number.NaN, inventory }], policyOf({}))).toThrow(/is not a time/);
  });
});

group("what cannot be resolved", () => {
  it("an inventory address that is none names the workload and NIC", () => {
    const bad = {
      networks: [],
      workloads: [workload("aws:1:r:i-1", [{ id: "eni-1", network: VPC_A, privateIp: "10.0.0.300" }])],
    };
    expect(() => new AddressIndex(bad, policyOf({}))).toThrow(
      /workload aws:1:r:i-1, NIC eni-1: "10.0.0.300"/,
    );
  });

  it("a connection address that is none", () => {
    expect(() => resolveConnection(connection({ initiatorAddress: "nope" }), sharedIndex)).toThrow(
      FlowResolutionError,
    );
  });
});
