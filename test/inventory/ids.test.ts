import fc from "fast-check";
import { describe, expect, expectTypeOf, it } from "vitest";
import { InvalidIdError } from "../../lib/inventory/errors.js";
import {
  cloudOfId,
  formatNetworkId,
  formatWorkloadId,
  isNetworkId,
  isWorkloadId,
  type NetworkIdParts,
  NetworkIdSchema,
  networkIdProblem,
  parseNetworkId,
  parseWorkloadId,
  type WorkloadIdParts,
  WorkloadIdSchema,
  workloadIdProblem,
} from "../../lib/inventory/ids.js";

const SUBSCRIPTION = "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f";

describe("workload ids", () => {
  it("parses each cloud's form into its parts", () => {
    expect(parseWorkloadId("aws:111111111111:us-east-1:i-0a000000000000001")).toEqual({
      cloud: "aws",
      account: "111111111111",
      region: "us-east-1",
      instanceId: "i-0a000000000000001",
    });
    expect(parseWorkloadId(`azure:${SUBSCRIPTION}:rg-app:vm-1`)).toEqual({
      cloud: "azure",
      subscription: SUBSCRIPTION,
      resourceGroup: "rg-app",
      vmName: "vm-1",
    });
    expect(parseWorkloadId("gcp:shop-prod:us-central1-a:web-1")).toEqual({
      cloud: "gcp",
      project: "shop-prod",
      zone: "us-central1-a",
      instanceName: "web-1",
    });
  });

  it("accepts the edges of each part's rules", () => {
    for (const id of [
      "aws:123456789012:us-gov-west-1:i-0123abcd",
      "aws:123456789012:ap-southeast-2:i-0123456789abcdef0",
      `azure:${SUBSCRIPTION}:${"r".repeat(90)}:${"v".repeat(64)}`,
      `azure:${SUBSCRIPTION}:My_RG.(test)-1:Web_VM.01`,
      `azure:${SUBSCRIPTION}:a:b`,
      "gcp:abcdef:europe-west4-b:a",
      `gcp:a${"b".repeat(28)}c:northamerica-northeast1-c:a${"b".repeat(61)}c`,
    ]) {
      expect(workloadIdProblem(id), id).toBeUndefined();
    }
  });

  it.each([
    ["aws:11111111111:us-east-1:i-0a000001", "account"],
    ["aws:111111111111:US-EAST-1:i-0a000001", "region"],
    ["aws:111111111111:us-east:i-0a000001", "region"],
    ["aws:111111111111:us-east-1:i-0a00001", "instanceId"],
    ["aws:111111111111:us-east-1:i-0A000001", "instanceId"],
    ["aws:111111111111:us-east-1:i-0a0000000000000001", "instanceId"],
    ["aws:111111111111:us-east-1:vpc-0a000001", "instanceId"],
    ["azure:8F2C1D3E-5A6B-4C7D-9E0F-1A2B3C4D5E6F:rg:vm", "subscription"],
    [`azure:${SUBSCRIPTION}:rg.:vm`, "resourceGroup"],
    [`azure:${SUBSCRIPTION}:${"r".repeat(91)}:vm`, "resourceGroup"],
    [`azure:${SUBSCRIPTION}:rg app:vm`, "resourceGroup"],
    [`azure:${SUBSCRIPTION}:rg:${"v".repeat(65)}`, "vmName"],
    [`azure:${SUBSCRIPTION}:rg:vm/1`, "vmName"],
    ["gcp:Shop-prod:us-central1-a:web-1", "project"],
    ["gcp:shop:us-central1-a:web-1", "project"],
    ["gcp:shop-prod-:us-central1-a:web-1", "project"],
    ["gcp:shop-prod:us-central1:web-1", "zone"],
    ["gcp:shop-prod:us-central1-a:Web-1", "instanceName"],
    ["gcp:shop-prod:us-central1-a:web-", "instanceName"],
    ["gcp:shop-prod:us-central1-a:1web", "instanceName"],
    [`gcp:shop-prod:us-central1-a:a${"b".repeat(63)}`, "instanceName"],
  ])("rejects %s, naming its %s", (id, part) => {
    const problem = workloadIdProblem(id);
    expect(problem).toContain(`${part} "`);
    expect(isWorkloadId(id)).toBe(false);
    expect(() => parseWorkloadId(id)).toThrow(InvalidIdError);
  });

  it("rejects the wrong number of parts and unknown clouds, naming the expected form", () => {
    expect(workloadIdProblem("gcp:shop-prod:prod-net")).toContain(
      "expected gcp:<project>:<zone>:<instanceName>",
    );
    expect(workloadIdProblem("aws:111111111111:us-east-1:i-0a000001:extra")).toContain("expected aws:");
    expect(workloadIdProblem("oci:x:y:z")).toContain("expected one of aws:<account>");
    expect(workloadIdProblem("")).toContain("is not a workload id");
  });

  it("formats parts and refuses parts that would not parse back", () => {
    expect(
      formatWorkloadId({ cloud: "gcp", project: "shop-prod", zone: "us-central1-a", instanceName: "web-1" }),
    ).toBe("gcp:shop-prod:us-central1-a:web-1");
    expect(() =>
      formatWorkloadId({ cloud: "azure", subscription: SUBSCRIPTION, resourceGroup: "rg:x", vmName: "vm" }),
    ).toThrow(InvalidIdError);
  });
});

describe("network ids", () => {
  it("parses each cloud's form into its parts", () => {
    expect(parseNetworkId("aws:111111111111:us-east-1:vpc-0a1b2c3d")).toEqual({
      cloud: "aws",
      account: "111111111111",
      region: "us-east-1",
      vpcId: "vpc-0a1b2c3d",
    });
    expect(parseNetworkId(`azure:${SUBSCRIPTION}:rg-net:vnet-prod`)).toEqual({
      cloud: "azure",
      subscription: SUBSCRIPTION,
      resourceGroup: "rg-net",
      vnetName: "vnet-prod",
    });
    expect(parseNetworkId("gcp:shop-prod:prod-net")).toEqual({
      cloud: "gcp",
      project: "shop-prod",
      networkName: "prod-net",
    });
  });

  it.each([
    ["aws:111111111111:us-east-1:vpc-0a1b2c3", "vpcId"],
    ["aws:111111111111:us-east-1:i-0a1b2c3d", "vpcId"],
    [`azure:${SUBSCRIPTION}:rg:v`, "vnetName"],
    [`azure:${SUBSCRIPTION}:rg:vnet-`, "vnetName"],
    [`azure:${SUBSCRIPTION}:rg:-vnet`, "vnetName"],
    [`azure:${SUBSCRIPTION}:rg:${"v".repeat(65)}`, "vnetName"],
    ["gcp:shop-prod:Prod", "networkName"],
  ])("rejects %s, naming its %s", (id, part) => {
    expect(networkIdProblem(id)).toContain(`${part} "`);
    expect(isNetworkId(id)).toBe(false);
    expect(() => parseNetworkId(id)).toThrow(InvalidIdError);
  });

  it("does not take a workload id for a network id or the other way round", () => {
    expect(isNetworkId("gcp:shop-prod:us-central1-a:web-1")).toBe(false);
    expect(isWorkloadId("gcp:shop-prod:prod-net")).toBe(false);
    expect(isNetworkId(`azure:${SUBSCRIPTION}:rg:vnet_1`)).toBe(true);
  });
});

describe("cloudOfId", () => {
  it("reads the cloud of workload and network ids", () => {
    expect(cloudOfId("aws:111111111111:us-east-1:vpc-0a1b2c3d")).toBe("aws");
    expect(cloudOfId(`azure:${SUBSCRIPTION}:rg-app:vm-1`)).toBe("azure");
    expect(cloudOfId("gcp:shop-prod:prod-net")).toBe("gcp");
  });

  it("throws InvalidIdError on an unknown prefix", () => {
    expect(() => cloudOfId("oci:x:y")).toThrow(InvalidIdError);
    expect(() => cloudOfId("aws")).toThrow(/must start with aws:, azure:, gcp:/);
  });
});

describe("zod schemas", () => {
  it("report the same problem as the validators", () => {
    const bad = "aws:111111111111:us-east-1:i-xyz";
    const result = WorkloadIdSchema.safeParse(bad);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(workloadIdProblem(bad));
    expect(NetworkIdSchema.safeParse("gcp:shop-prod:prod-net").success).toBe(true);
    expect(NetworkIdSchema.safeParse(42).success).toBe(false);
  });
});

const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: length, maxLength: length });
const rfc1035 = fc.stringMatching(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
const workloadPartsArb: fc.Arbitrary<WorkloadIdParts> = fc.oneof(
  fc.record({
    cloud: fc.constant("aws" as const),
    account: fc.stringMatching(/^\d{12}$/),
    region: fc.stringMatching(/^[a-z]{2}(-gov)?-[a-z]+-\d$/),
    instanceId: fc.oneof(hex(8), hex(17)).map((digits) => `i-${digits}`),
  }),
  fc.record({
    cloud: fc.constant("azure" as const),
    subscription: fc.uuid().map((uuid) => uuid.toLowerCase()),
    resourceGroup: fc.stringMatching(/^[\w.()-]{0,89}[\w()-]$/),
    vmName: fc.stringMatching(/^[\w.-]{1,64}$/),
  }),
  fc.record({
    cloud: fc.constant("gcp" as const),
    project: fc.stringMatching(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/),
    zone: fc.stringMatching(/^[a-z]+-[a-z]+\d+-[a-z]$/),
    instanceName: rfc1035,
  }),
);
const networkPartsArb: fc.Arbitrary<NetworkIdParts> = fc.oneof(
  fc.record({
    cloud: fc.constant("aws" as const),
    account: fc.stringMatching(/^\d{12}$/),
    region: fc.stringMatching(/^[a-z]{2}-[a-z]+-\d$/),
    vpcId: fc.oneof(hex(8), hex(17)).map((digits) => `vpc-${digits}`),
  }),
  fc.record({
    cloud: fc.constant("azure" as const),
    subscription: fc.uuid().map((uuid) => uuid.toLowerCase()),
    resourceGroup: fc.stringMatching(/^[\w.()-]{0,89}[\w()-]$/),
    vnetName: fc.stringMatching(/^[A-Za-z0-9][\w.-]{0,62}\w$/),
  }),
  fc.record({
    cloud: fc.constant("gcp" as const),
    project: fc.stringMatching(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/),
    networkName: rfc1035,
  }),
);

describe("ids (properties)", () => {
  it("format and parse are inverses for valid parts", () => {
    fc.assert(
      fc.property(workloadPartsArb, (parts) => {
        const id = formatWorkloadId(parts);
        expect(parseWorkloadId(id)).toEqual(parts);
        expect(cloudOfId(id)).toBe(parts.cloud);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(networkPartsArb, (parts) => {
        expect(parseNetworkId(formatNetworkId(parts))).toEqual(parts);
      }),
      { numRuns: 500 },
    );
  });
});

describe("AWS instance id lengths", () => {
  it("accepts 8 to 17 hex digits: EC2's two forms and the 16-digit ids of samples", () => {
    expect(isWorkloadId("aws:111111111111:us-east-1:i-0a00000000000001")).toBe(true);
    expect(isWorkloadId("aws:111111111111:us-east-1:i-0a000000000000001")).toBe(true);
    expect(isWorkloadId("aws:111111111111:us-east-1:i-0a1b2c3d")).toBe(true);
    expect(isWorkloadId("aws:111111111111:us-east-1:i-0a1b2c3")).toBe(false);
    expect(isWorkloadId("aws:111111111111:us-east-1:i-0a0000000000000001")).toBe(false);
  });
});

describe("the parts types, derived from each cloud's ids.ts", () => {
  it("are exact per cloud, so that `cloud` narrows to that cloud's parts", () => {
    expectTypeOf<Extract<WorkloadIdParts, { cloud: "aws" }>>().toEqualTypeOf<{
      readonly cloud: "aws";
      readonly account: string;
      readonly region: string;
      readonly instanceId: string;
    }>();
    expectTypeOf<Extract<WorkloadIdParts, { cloud: "azure" }>>().toEqualTypeOf<{
      readonly cloud: "azure";
      readonly subscription: string;
      readonly resourceGroup: string;
      readonly vmName: string;
    }>();
    expectTypeOf<Extract<WorkloadIdParts, { cloud: "gcp" }>>().toEqualTypeOf<{
      readonly cloud: "gcp";
      readonly project: string;
      readonly zone: string;
      readonly instanceName: string;
    }>();
    expectTypeOf<Extract<NetworkIdParts, { cloud: "aws" }>>().toEqualTypeOf<{
      readonly cloud: "aws";
      readonly account: string;
      readonly region: string;
      readonly vpcId: string;
    }>();
    expectTypeOf<Extract<NetworkIdParts, { cloud: "azure" }>>().toEqualTypeOf<{
      readonly cloud: "azure";
      readonly subscription: string;
      readonly resourceGroup: string;
      readonly vnetName: string;
    }>();
    expectTypeOf<Extract<NetworkIdParts, { cloud: "gcp" }>>().toEqualTypeOf<{
      readonly cloud: "gcp";
      readonly project: string;
      readonly networkName: string;
    }>();
    expectTypeOf<WorkloadIdParts["cloud"]>().toEqualTypeOf<"aws" | "azure" | "gcp">();
    const parts = parseWorkloadId("aws:111111111111:us-east-1:i-0a000001");
    expect(parts.cloud === "aws" ? parts.instanceId : undefined).toBe("i-0a000001");
  });
});
