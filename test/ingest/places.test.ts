import { describe, expect, it } from "vitest";
import { ConfiguredPlaces } from "../../lib/ingest/places.js";

const SUB = "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f";

describe("ConfiguredPlaces", () => {
  const places = new ConfiguredPlaces({
    aws: [
      { account: "111111111111", regions: ["us-east-1"] },
      { account: "111111111111", regions: ["eu-west-1"] },
    ],
    azure: [SUB.toUpperCase()],
    gcp: ["shop-prod"],
  });

  it("admits a workload of a configured account and region, subscription or project", () => {
    expect(places.refusalOf("aws:111111111111:us-east-1:i-0a00000000000002")).toBeUndefined();
    expect(places.refusalOf("aws:111111111111:eu-west-1:i-0a00000000000002")).toBeUndefined();
    expect(places.refusalOf(`azure:${SUB}:rg-shop-prod:vm-web-1`)).toBeUndefined();
    expect(places.refusalOf("gcp:shop-prod:us-central1-a:shop-web-3")).toBeUndefined();
  });

  it("names why any other place is refused", () => {
    expect(places.refusalOf("aws:222222222222:us-east-1:i-0a00000000000002")).toEqual({
      reason: "account-not-configured",
      detail: "AWS account 222222222222",
    });
    expect(places.refusalOf("aws:111111111111:us-west-2:i-0a00000000000002")).toEqual({
      reason: "region-not-configured",
      detail: "AWS region us-west-2 of account 111111111111",
    });
    expect(places.refusalOf("azure:0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a:rg:vm")?.reason).toBe(
      "subscription-not-configured",
    );
    expect(places.refusalOf("gcp:billing-prod:us-central1-a:vm")?.reason).toBe("project-not-configured");
    expect(places.refusalOf("aws:bogus")?.reason).toBe("not-a-workload-id");
  });

  it("admits any GCP project as a possible Shared VPC service project when asked to, for the reader to confirm", () => {
    const hosts = new ConfiguredPlaces({ gcp: ["shop-prod"], gcpServiceProjects: true });
    expect(hosts.refusalOf("gcp:shop-svc-web:us-central1-a:web-1")).toBeUndefined();
    expect(hosts.refusalOf("aws:222222222222:us-east-1:i-0a00000000000002")?.reason).toBe(
      "account-not-configured",
    );
    // Without a configured project there is no host for it to belong to.
    const none = new ConfiguredPlaces({ gcpServiceProjects: true });
    expect(none.refusalOf("gcp:shop-svc-web:us-central1-a:web-1")?.reason).toBe("project-not-configured");
  });

  it("admits service projects of the connections' hosts, and only GCP projects when they have none", () => {
    const connections = {
      aws: { locations: [] },
      azure: { subscriptions: [] },
      gcp: { projects: ["shop-prod"], hosts: ["shop-prod"] },
    };
    expect(
      ConfiguredPlaces.ofConnections(connections).refusalOf("gcp:shop-svc-web:us-central1-a:web-1"),
    ).toBeUndefined();
    const without = ConfiguredPlaces.ofConnections({ ...connections, gcp: { projects: ["shop-prod"] } });
    expect(without.refusalOf("gcp:shop-svc-web:us-central1-a:web-1")?.reason).toBe("project-not-configured");
  });

  it("compares subscription GUIDs case-insensitively", () => {
    expect(places.refusalOfPlace("azure", SUB)).toBeUndefined();
    expect(places.refusalOfPlace("azure", SUB.toUpperCase())).toBeUndefined();
  });

  it("refuses every place of a cloud that is not configured", () => {
    const awsOnly = new ConfiguredPlaces({ aws: [{ account: "111111111111", regions: ["us-east-1"] }] });
    expect(awsOnly.refusalOf("gcp:shop-prod:us-central1-a:shop-web-3")?.reason).toBe(
      "project-not-configured",
    );
    expect(awsOnly.refusalOfPlace("azure", SUB)?.reason).toBe("subscription-not-configured");
  });

  it("is built from connections: AWS locations, Azure subscriptions, GCP projects", () => {
    const fromConnections = ConfiguredPlaces.ofConnections({
      aws: { locations: [{ account: "111111111111", region: "us-east-1" }] },
      azure: { subscriptions: [SUB] },
      gcp: { projects: ["shop-prod"] },
    });
    expect(fromConnections.refusalOf("aws:111111111111:us-east-1:i-0a00000000000002")).toBeUndefined();
    expect(fromConnections.refusalOf("aws:111111111111:eu-west-1:i-0a00000000000002")?.reason).toBe(
      "region-not-configured",
    );
  });

  it("refuses a place named as the providers name it (AWS account:region, GCP project) as it refuses its workloads", () => {
    expect(places.refusalOfPlace("aws", "111111111111:eu-west-1")).toBeUndefined();
    expect(places.refusalOfPlace("aws", "111111111111:us-west-2")?.reason).toBe("region-not-configured");
    expect(places.refusalOfPlace("aws", "222222222222:us-east-1")?.reason).toBe("account-not-configured");
    expect(places.refusalOfPlace("gcp", "shop-prod")).toBeUndefined();
    expect(places.refusalOfPlace("gcp", "billing-prod")).toEqual({
      reason: "project-not-configured",
      detail: "GCP project billing-prod",
    });
  });

  it("names the unlisted place only of a GCP project admitted as a possible service project", () => {
    const hosts = new ConfiguredPlaces({ gcp: ["shop-prod"], gcpServiceProjects: true, azure: [SUB] });
    expect(hosts.unlistedPlace("gcp:shop-svc-web:us-central1-a:web-1")).toBe("shop-svc-web");
    expect(hosts.unlistedPlace("gcp:shop-prod:us-central1-a:web-1")).toBeUndefined();
    expect(hosts.unlistedPlace(`azure:${SUB}:rg-shop-prod:vm-web-1`)).toBeUndefined();
    expect(places.unlistedPlace("gcp:shop-svc-web:us-central1-a:web-1")).toBeUndefined();
  });
});
