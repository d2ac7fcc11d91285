import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadEstateFile, loadEstateText, resolveEstateDocument } from "../../sim/estate.js";
import {
  AWS_VPC,
  AWS_WEB,
  AZURE_VNET,
  EXAMPLE_ESTATE,
  estateIssues,
  estateOf,
  GCP_NET,
  HEADER,
  SMALL_ESTATE,
  SUB,
  text,
  WORKLOADS,
} from "./fixtures.js";

describe("loading an estate", () => {
  it("loads the example estate: every cloud, both apps, prod and dev, native objects in each cloud", async () => {
    const result = await loadEstateFile(EXAMPLE_ESTATE);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { estate } = result;
    const clouds = new Set(estate.workloads.map((w) => w.id.split(":")[0]));
    expect(clouds).toEqual(new Set(["aws", "azure", "gcp"]));
    expect(estate.workloads.length).toBeGreaterThanOrEqual(12);
    expect(new Set(estate.workloads.map((w) => w.tags["seg-app"]))).toEqual(
      new Set(["shop", "blog", "monitoring"]),
    );
    expect(new Set(estate.workloads.map((w) => w.tags["seg-env"]))).toEqual(new Set(["prod", "dev"]));
    expect(estate.native?.aws?.securityGroups).toHaveLength(1);
    expect(estate.native?.azure?.networkSecurityGroups).toHaveLength(1);
    expect(estate.native?.gcp?.instances).toHaveLength(1);
  });

  it("fills in the defaults: running, EC2's allow-all egress on a customer group", () => {
    const estate = estateOf(
      text(
        ...HEADER,
        ...WORKLOADS,
        "native:",
        "  aws:",
        "    securityGroups:",
        "      - { GroupId: sg-0c0ffee0000000001, GroupName: ssh, Description: ssh, VpcId: vpc-0a1b2c3d }",
      ),
    );
    expect(estate.workloads.map((w) => w.state)).toEqual(["running", "running", "running"]);
    expect(estate.native?.aws?.securityGroups?.[0]?.IpPermissionsEgress).toEqual([
      {
        IpProtocol: "-1",
        IpRanges: [{ CidrIp: "0.0.0.0/0" }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
    ]);
  });

  it("reads JSON with JSON's scalars", () => {
    const document = {
      apiVersion: "segsync/v1",
      kind: "Estate",
      networks: [{ id: AWS_VPC, cidr: "10.1.0.0/16" }],
      workloads: [{ id: AWS_WEB, network: AWS_VPC, privateIp: "10.1.0.11", tags: { "seg-app": "shop" } }],
    };
    const result = loadEstateText(JSON.stringify(document, null, 2), "e.json");
    expect(result.ok).toBe(true);
    const bad = JSON.stringify({
      ...document,
      workloads: [{ ...document.workloads[0], tags: { "seg-env": 2024 } }],
    });
    expect(estateIssues(bad, "e.json")).toEqual([
      'e.json:1:288 workloads[0].tags.seg-env: expected a string, got 2024 (quote it: "2024")',
    ]);
  });

  it("checks an object the same way, with paths only", () => {
    const result = resolveEstateDocument({
      apiVersion: "segsync/v1",
      kind: "Estate",
      networks: [],
      workloads: [],
      extra: 1,
    });
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          path: "extra",
          message: 'unknown key "extra" (allowed: apiVersion, kind, networks, workloads, native)',
        },
      ],
    });
  });

  it("says when the file cannot be read", async () => {
    const missing = join(tmpdir(), "segsync-no-such-estate.yaml");
    expect(await loadEstateFile(missing)).toEqual({
      ok: false,
      issues: [{ path: "(root)", message: "cannot read the file: no such file" }],
    });
    const file = join(tmpdir(), `segsync-estate-${process.pid}.yaml`);
    await writeFile(file, SMALL_ESTATE);
    expect((await loadEstateFile(file)).ok).toBe(true);
  });

  it("reports every issue at once, in text order", () => {
    const source = text(
      ...HEADER,
      "workloads:",
      `  - { id: "${AWS_WEB}", network: "${AWS_VPC}", privateIp: 10.9.0.11, tags: {} }`,
      `  - { id: "gcp:shop-prod:us-central1-a:db-1", network: "${GCP_NET}", privateIp: 10.3.0.11, tags: { Name: x } }`,
    );
    expect(estateIssues(source).map((line) => line.split(" ")[0])).toEqual(["e.yaml:8:123", "e.yaml:9:112"]);
  });
});

interface InvalidCase {
  readonly name: string;
  readonly source: string;
  readonly expected: readonly string[];
}

const INVALID: readonly InvalidCase[] = [
  {
    name: "unknownTop",
    source: text(...HEADER, ...WORKLOADS, "extra: 1"),
    expected: [
      'e.yaml:11:1 extra: unknown key "extra" (allowed: apiVersion, kind, networks, workloads, native)',
    ],
  },
  {
    name: "wrongKind",
    source: text("apiVersion: segsync/v1", "kind: Policy", "networks: []", "workloads: []"),
    expected: ['e.yaml:2:7 kind: expected "Estate", got "Policy"'],
  },
  {
    name: "missingNetworks",
    source: text("apiVersion: segsync/v1", "kind: Estate", "workloads: []"),
    expected: ["e.yaml:1:1 networks: required key is missing"],
  },
  {
    name: "unknownNetField",
    source: text(
      ...HEADER.slice(0, 3),
      `  - { id: "${AWS_VPC}", cidr: 10.1.0.0/16, name: prod }`,
      "workloads: []",
    ),
    expected: ['e.yaml:4:73 networks[0].name: unknown key "name" (allowed: id, cidr, region)'],
  },
  {
    name: "badCidr",
    source: text(...HEADER.slice(0, 3), `  - { id: "${AWS_VPC}", cidr: 10.1.0.1/16 }`, "workloads: []"),
    expected: ['e.yaml:4:60 networks[0].cidr: "10.1.0.1/16" has host bits set: the network is 10.1.0.0/16'],
  },
  {
    name: "ipv6Cidr",
    source: text(...HEADER.slice(0, 3), `  - { id: "${AWS_VPC}", cidr: "2001:db8::/32" }`, "workloads: []"),
    expected: ['e.yaml:4:60 networks[0].cidr: "2001:db8::/32" is not an IPv4 CIDR block: it is not IPv4'],
  },
  {
    name: "badNetId",
    source: text(
      ...HEADER.slice(0, 3),
      `  - { id: "aws:1111:us-east-1:vpc-0a1b2c3d", cidr: 10.1.0.0/16 }`,
      "workloads: []",
    ),
    expected: [
      'e.yaml:4:11 networks[0].id: "aws:1111:us-east-1:vpc-0a1b2c3d" is not a valid aws network id (aws:<account>:<region>:<vpcId>): account "1111" must be 12 digits',
    ],
  },
  {
    name: "dupNet",
    source: text(...HEADER, `  - { id: "${GCP_NET}", cidr: 10.4.0.0/16 }`, "workloads: []"),
    expected: ["e.yaml:7:11 networks[3].id: network gcp:shop-prod:prod-net is already listed at networks[2]"],
  },
  {
    name: "azureNoRegion",
    source: text(...HEADER.slice(0, 4), `  - { id: "${AZURE_VNET}", cidr: 10.2.0.0/16 }`, "workloads: []"),
    expected: ["e.yaml:5:5 networks[1].region: an Azure VNet needs its region, such as eastus"],
  },
  {
    name: "regionOnAws",
    source: text(
      ...HEADER.slice(0, 3),
      `  - { id: "${AWS_VPC}", cidr: 10.1.0.0/16, region: eastus }`,
      "workloads: []",
    ),
    expected: [
      "e.yaml:4:73 networks[0].region: only Azure VNets take a region: an AWS VPC's region is part of its id",
    ],
  },
  {
    name: "badRegion",
    source: text(
      ...HEADER.slice(0, 4),
      `  - { id: "${AZURE_VNET}", cidr: 10.2.0.0/16, region: East US }`,
      "workloads: []",
    ),
    expected: ["e.yaml:5:101 networks[1].region: not an Azure region name as ARM returns it, such as eastus"],
  },
  {
    name: "sameVpc",
    source: text(
      ...HEADER,
      `  - { id: "aws:222222222222:us-west-2:vpc-0a1b2c3d", cidr: 10.9.0.0/16 }`,
      "workloads: []",
    ),
    expected: [
      "e.yaml:7:11 networks[3].id: vpc-0a1b2c3d is already the VPC of networks[0]: VPC ids are unique across accounts and regions",
    ],
  },
  {
    name: "unknownNetwork",
    source: text(
      ...HEADER,
      "workloads:",
      `  - { id: "${AWS_WEB}", network: "aws:111111111111:us-east-1:vpc-0fffffff", privateIp: 10.1.0.11, tags: {} }`,
    ),
    expected: [
      "e.yaml:8:69 workloads[0].network: network aws:111111111111:us-east-1:vpc-0fffffff is not listed in networks",
    ],
  },
  {
    name: "otherCloud",
    source: text(
      ...HEADER,
      "workloads:",
      `  - { id: "${AWS_WEB}", network: "${GCP_NET}", privateIp: 10.3.0.11, tags: {} }`,
    ),
    expected: [
      "e.yaml:8:69 workloads[0].network: network gcp:shop-prod:prod-net is in gcp, but the workload is in aws",
    ],
  },
  {
    name: "otherRegion",
    source: text(
      ...HEADER,
      `  - { id: "aws:111111111111:us-west-2:vpc-0b1b2c3d", cidr: 10.6.0.0/16 }`,
      "workloads:",
      `  - { id: "${AWS_WEB}", network: "aws:111111111111:us-west-2:vpc-0b1b2c3d", privateIp: 10.6.0.11, tags: {} }`,
    ),
    expected: [
      "e.yaml:9:69 workloads[0].network: network aws:111111111111:us-west-2:vpc-0b1b2c3d is in 111111111111:us-west-2, but the workload is in 111111111111:us-east-1",
    ],
  },
  {
    name: "otherSub",
    source: text(
      ...HEADER,
      "workloads:",
      `  - { id: "azure:00000000-0000-4000-8000-000000000000:rg:vm-1", network: "${AZURE_VNET}", privateIp: 10.2.0.11, tags: {} }`,
    ),
    expected: [
      "e.yaml:8:74 workloads[0].network: network azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-net:vnet-prod is in subscription 8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f, but the workload is in 00000000-0000-4000-8000-000000000000: a NIC and its VNet share a subscription",
    ],
  },
  {
    name: "outside",
    source: text(
      ...HEADER,
      "workloads:",
      `  - { id: "${AWS_WEB}", network: "${AWS_VPC}", privateIp: 10.9.0.11, tags: {} }`,
    ),
    expected: [
      "e.yaml:8:123 workloads[0].privateIp: 10.9.0.11 is outside aws:111111111111:us-east-1:vpc-0a1b2c3d (10.1.0.0/16)",
    ],
  },
  {
    name: "dupPrivate",
    source: text(
      ...HEADER,
      ...WORKLOADS,
      `  - { id: "aws:111111111111:us-east-1:i-0a00000000000002", network: "${AWS_VPC}", privateIp: 10.1.0.11, tags: {} }`,
    ),
    expected: [
      "e.yaml:11:123 workloads[3].privateIp: 10.1.0.11 is already used in aws:111111111111:us-east-1:vpc-0a1b2c3d by workloads[0]",
    ],
  },
  {
    name: "dupPublic",
    source: text(
      ...HEADER,
      ...WORKLOADS,
      `  - { id: "gcp:shop-prod:us-central1-a:web-9", network: "${GCP_NET}", privateIp: 10.3.0.99, publicIp: 54.0.0.11, tags: {} }`,
    ),
    expected: ["e.yaml:11:115 workloads[3].publicIp: 54.0.0.11 is already the public IP of workloads[0]"],
  },
  {
    name: "dupWorkload",
    source: text(...HEADER, ...WORKLOADS, WORKLOADS[3] ?? ""),
    expected: [
      "e.yaml:11:11 workloads[3].id: workload gcp:shop-prod:us-central1-a:db-1 is already listed at workloads[2]",
    ],
  },
  {
    name: "badIp",
    source: text(
      ...HEADER,
      "workloads:",
      `  - { id: "${AWS_WEB}", network: "${AWS_VPC}", privateIp: 10.1.0.300, tags: {} }`,
    ),
    expected: ['e.yaml:8:123 workloads[0].privateIp: "10.1.0.300" is not an IPv4 address'],
  },
  {
    name: "nonCanonicalIp",
    source: text(
      ...HEADER,
      "workloads:",
      `  - { id: "${AWS_WEB}", network: "${AWS_VPC}", privateIp: 010.1.0.1, tags: {} }`,
    ),
    expected: ['e.yaml:8:123 workloads[0].privateIp: "010.1.0.1" is not an IPv4 address'],
  },
  {
    name: "badState",
    source: text(
      ...HEADER,
      "workloads:",
      `  - { id: "${AWS_WEB}", network: "${AWS_VPC}", privateIp: 10.1.0.11, state: paused, tags: {} }`,
    ),
    expected: ['e.yaml:8:141 workloads[0].state: expected "running" or "stopped", got "paused"'],
  },
  {
    name: "gcpLabel",
    source: text(
      ...HEADER,
      "workloads:",
      `  - { id: "gcp:shop-prod:us-central1-a:db-1", network: "${GCP_NET}", privateIp: 10.3.0.11, tags: { Name: db-1 } }`,
    ),
    expected: [
      'e.yaml:8:112 workloads[0].tags.Name: tag "Name": "db-1" cannot be a GCP label: keys are 1-63 lowercase letters, digits, _ and -, starting with a letter; values are 0-63 of the same',
    ],
  },
  {
    name: "awsReserved",
    source: text(
      ...HEADER,
      "workloads:",
      `  - { id: "${AWS_WEB}", network: "${AWS_VPC}", privateIp: 10.1.0.11, tags: { "aws:owner": me } }`,
    ),
    expected: [
      'e.yaml:8:142 workloads[0].tags["aws:owner"]: Tag keys starting with "aws:" are reserved: "aws:owner".',
    ],
  },
  {
    name: "azureTagChar",
    source: text(
      ...HEADER,
      "workloads:",
      `  - { id: "azure:${SUB}:rg:vm-1", network: "${AZURE_VNET}", privateIp: 10.2.0.11, tags: { "a/b": x } }`,
    ),
    expected: [
      "e.yaml:8:167 workloads[0].tags[\"a/b\"]: Tag name 'a/b' has a character that is not allowed: < > % & \\ ? /",
    ],
  },
  {
    name: "missingTags",
    source: text(
      ...HEADER,
      "workloads:",
      `  - { id: "${AWS_WEB}", network: "${AWS_VPC}", privateIp: 10.1.0.11 }`,
    ),
    expected: ["e.yaml:8:5 workloads[0].tags: required key is missing"],
  },
  {
    name: "numberTag",
    source: text(
      ...HEADER,
      "workloads:",
      `  - { id: "${AWS_WEB}", network: "${AWS_VPC}", privateIp: 10.1.0.11, tags: { seg-env: 2024 } }`,
    ),
    expected: ['e.yaml:8:151 workloads[0].tags.seg-env: expected a string, got 2024 (quote it: "2024")'],
  },
  {
    name: "proto",
    source: text(
      ...HEADER,
      "workloads:",
      `  - { id: "${AWS_WEB}", network: "${AWS_VPC}", privateIp: 10.1.0.11, tags: { __proto__: x } }`,
    ),
    expected: ['e.yaml:8:142 workloads[0].tags.__proto__: "__proto__" is not allowed as a key'],
  },
  {
    name: "dupKey",
    source: text(...HEADER, "workloads: []", "workloads: []"),
    expected: ['e.yaml:8:1 workloads: duplicate key "workloads"'],
  },
  {
    name: "twoDocs",
    source: text(...HEADER, "workloads: []", "---", "a: 1"),
    expected: ["e.yaml:8:1 (root): an estate file holds one document: remove the second one"],
  },
];

describe("an estate that does not hang together", () => {
  it("has many distinct errors", () => {
    expect(
      new Set(INVALID.flatMap((c) => c.expected.map((line) => line.slice(line.indexOf(" ") + 1)))).size,
    ).toBe(INVALID.length);
  });

  it.each(INVALID.map((c) => [c.name, c] as const))("%s", (_, c) => {
    expect(estateIssues(c.source)).toEqual(c.expected);
  });
});
