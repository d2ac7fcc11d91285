import { describe, expect, it } from "vitest";
import { AwsApiError, AwsThrottledError } from "../../lib/clouds/aws/errors.js";
import { AzureApiError, AzureThrottledError } from "../../lib/clouds/azure/errors.js";
import { GcpApiError, GcpThrottledError } from "../../lib/clouds/gcp/errors.js";
import { SimulatedClouds, SimulatedCrashError } from "../../sim/simulated-clouds.js";
import { exampleEstate, SUB } from "./fixtures.js";

const PROD = { account: "111111111111", region: "us-east-1" };
const FILTER = [{ Name: "instance-state-name", Values: ["running"] }];
const tag = (n: number) => [{ Key: `t${n}`, Value: "x" }];

async function outcomes(run: () => Promise<unknown>, times: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < times; i += 1) {
    seen.push(
      await run().then(
        () => "ok",
        (error: unknown) => (error instanceof Error ? error.name : "?"),
      ),
    );
  }
  return seen;
}

describe("throttling", () => {
  it("throttles every call of one cloud with its own error at rate 1, and stops when cleared", async () => {
    const clouds = SimulatedClouds.fromEstate(await exampleEstate());
    const { aws, azure, gcp } = clouds.connections();
    clouds.setThrottle("aws", { rate: 1, seed: 7 });
    clouds.setThrottle("azure", { rate: 1, seed: 7 });
    clouds.setThrottle("gcp", { rate: 1, seed: 7 });
    await expect(aws.apiFor(PROD).describeInstances(FILTER)).rejects.toBeInstanceOf(AwsThrottledError);
    await expect(azure.apiFor(SUB).listVirtualMachines()).rejects.toBeInstanceOf(AzureThrottledError);
    await expect(gcp.apiFor("shop-prod").listFirewalls()).rejects.toBeInstanceOf(GcpThrottledError);
    clouds.setThrottle("aws", undefined);
    await expect(aws.apiFor(PROD).describeInstances(FILTER)).resolves.toHaveLength(5);
    await expect(azure.apiFor(SUB).listVirtualMachines()).rejects.toBeInstanceOf(AzureThrottledError);
  });

  it("throttles the same calls for the same seed, and reaches locations made later", async () => {
    const run = async () => {
      const clouds = SimulatedClouds.fromEstate(await exampleEstate());
      clouds.setThrottle("aws", { rate: 0.5, seed: 42 });
      const api = clouds.connections().aws.apiFor(PROD);
      const later = clouds.connections().aws.apiFor({ account: "333333333333", region: "eu-west-1" });
      return [
        ...(await outcomes(() => api.describeInstances(FILTER), 20)),
        ...(await outcomes(() => later.describeInstances(FILTER), 20)),
      ];
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first.filter((o) => o === "AwsThrottledError").length).toBeGreaterThan(5);
    expect(first.filter((o) => o === "ok").length).toBeGreaterThan(5);
  });

  it("refuses a rate outside 0 to 1", async () => {
    const clouds = SimulatedClouds.fromEstate(await exampleEstate());
    expect(() => clouds.setThrottle("gcp", { rate: 2, seed: 1 })).toThrow(
      "throttleRate must be within 0 and 1",
    );
  });
});

describe("server errors", () => {
  it("fail every call of one cloud with its own 500 or 503 at rate 1, and stop when cleared", async () => {
    const clouds = SimulatedClouds.fromEstate(await exampleEstate());
    const { aws, azure, gcp } = clouds.connections();
    for (const cloud of ["aws", "azure", "gcp"] as const) clouds.setServerErrors(cloud, { rate: 1, seed: 7 });
    const awsError = await aws
      .apiFor(PROD)
      .describeInstances(FILTER)
      .catch((error: unknown) => error);
    expect(awsError).toBeInstanceOf(AwsApiError);
    expect(["InternalError", "Unavailable"]).toContain((awsError as AwsApiError).code);
    const azureError = await azure
      .apiFor(SUB)
      .listVirtualMachines()
      .catch((error: unknown) => error);
    expect(azureError).toBeInstanceOf(AzureApiError);
    expect([500, 503]).toContain((azureError as AzureApiError).status);
    const gcpError = await gcp
      .apiFor("shop-prod")
      .listFirewalls()
      .catch((error: unknown) => error);
    expect(gcpError).toBeInstanceOf(GcpApiError);
    expect([500, 503]).toContain((gcpError as GcpApiError).status);
    clouds.setServerErrors("aws", undefined);
    await expect(aws.apiFor(PROD).describeInstances(FILTER)).resolves.toHaveLength(5);
    await expect(azure.apiFor(SUB).listVirtualMachines()).rejects.toBeInstanceOf(AzureApiError);
  });

  it("fail the same calls for the same seed, locations apart, and reach locations made later", async () => {
    const run = async () => {
      const clouds = SimulatedClouds.fromEstate(await exampleEstate());
      clouds.setServerErrors("aws", { rate: 0.5, seed: 42 });
      const api = clouds.connections().aws.apiFor(PROD);
      const later = clouds.connections().aws.apiFor({ account: "333333333333", region: "eu-west-1" });
      return [
        await outcomes(() => api.describeInstances(FILTER), 20),
        await outcomes(() => later.describeInstances(FILTER), 20),
      ];
    };
    const [here, there] = await run();
    expect(await run()).toEqual([here, there]);
    expect(here).not.toEqual(there);
    for (const seen of [here, there]) {
      expect(seen?.filter((o) => o === "AwsApiError").length).toBeGreaterThan(4);
      expect(seen?.filter((o) => o === "ok").length).toBeGreaterThan(4);
    }
  });

  it("lose the response of a write through segsync's ports: it took effect, and counts as made", async () => {
    const clouds = SimulatedClouds.fromEstate(await exampleEstate());
    const api = clouds.connections().gcp.apiFor("shop-prod");
    clouds.setServerErrors("gcp", { rate: 1, seed: 3, lostResponseShare: 1 });
    await expect(api.deleteFirewall("legacy-web-8080")).rejects.toBeInstanceOf(GcpApiError);
    expect(clouds.gcp("shop-prod").state().firewalls).toHaveLength(0);
    expect(clouds.writes("gcp")).toBe(1);
    expect(clouds.gcp("shop-prod").calls.map((c) => [c.method, c.injected])).toEqual([
      ["deleteFirewall", "lostResponse"],
    ]);
  });

  it("refuse a rate or share outside 0 to 1", async () => {
    const clouds = SimulatedClouds.fromEstate(await exampleEstate());
    expect(() => clouds.setServerErrors("azure", { rate: 1.2, seed: 1 })).toThrow(
      "rate must be within 0 and 1, got 1.2",
    );
    expect(() => clouds.setServerErrors("aws", { rate: 0.1, seed: 1, lostResponseShare: 3 })).toThrow(
      "lostResponseShare must be within 0 and 1, got 3",
    );
  });
});

describe("failAfterWrites", () => {
  it("fails the write after the next n once, without making it, and counts only the writes made", async () => {
    const clouds = SimulatedClouds.fromEstate(await exampleEstate());
    const api = clouds.connections().aws.apiFor(PROD);
    clouds.failAfterWrites("aws", 2);
    await api.createTags(["i-0a00000000000001"], tag(1));
    await api.describeInstances(FILTER);
    await api.createTags(["i-0a00000000000001"], tag(2));
    const crash = await api.createTags(["i-0a00000000000001"], tag(3)).catch((error: unknown) => error);
    expect(crash).toBeInstanceOf(SimulatedCrashError);
    expect(crash).toMatchObject({ cloud: "aws", write: 3, message: "simulated crash before write 3 on aws" });
    await api.createTags(["i-0a00000000000001"], tag(4));
    const tags =
      clouds
        .aws(PROD)
        .state()
        .instances.find((i) => i.InstanceId === "i-0a00000000000001")?.Tags ?? [];
    expect(tags.map((t) => t.Key).filter((k) => k.startsWith("t"))).toEqual(["t1", "t2", "t4"]);
    expect(clouds.writes("aws")).toBe(3);
  });

  it("counts each cloud on its own, across its locations", async () => {
    const clouds = SimulatedClouds.fromEstate(await exampleEstate());
    const { gcp, azure } = clouds.connections();
    clouds.failAfterWrites("gcp", 1);
    await azure
      .apiFor(SUB)
      .deleteNetworkSecurityGroup("rg-none", "nsg-none")
      .catch(() => undefined);
    await gcp
      .apiFor("blog-prod-data")
      .deleteFirewall("missing")
      .catch(() => undefined);
    await expect(gcp.apiFor("shop-prod").deleteFirewall("legacy-web-8080")).rejects.toBeInstanceOf(
      SimulatedCrashError,
    );
    expect(clouds.gcp("shop-prod").state().firewalls).toHaveLength(1);
    await gcp.apiFor("shop-prod").deleteFirewall("legacy-web-8080");
    expect(clouds.gcp("shop-prod").state().firewalls).toHaveLength(0);
    expect([clouds.writes("azure"), clouds.writes("gcp")]).toEqual([1, 2]);
  });

  it("takes a count of writes", async () => {
    const clouds = SimulatedClouds.fromEstate(await exampleEstate());
    expect(() => clouds.failAfterWrites("aws", -1)).toThrow(
      "failAfterWrites takes a count of writes, not -1",
    );
  });
});
