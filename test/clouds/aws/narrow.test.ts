import { describe, expect, it } from "vitest";
import type { AwsApiFactory } from "../../../lib/clouds/aws/api.js";
import { DEFAULT_AWS_QUOTAS } from "../../../lib/clouds/aws/config.js";
import { type AwsConnection, createAwsProvider, narrowAws } from "../../../lib/clouds/aws/provider.js";
import { SimulatedEc2 } from "../../../sim/clouds/aws/api.js";
import { SEALER } from "../../support/seals.js";

const EAST = { account: "111111111111", region: "us-east-1" };
const WEST = { account: "111111111111", region: "eu-west-1" };
const OTHER = { account: "222222222222", region: "us-east-1" };
const apiFor: AwsApiFactory = (location) => SimulatedEc2.empty(location);
const connection: AwsConnection = { apiFor, locations: [EAST, WEST, OTHER] };

describe("AWS narrow", () => {
  it("keeps the locations that hold one of the networks, in the connection's order, with the same apiFor", () => {
    const narrowed = narrowAws(connection, [
      "aws:222222222222:us-east-1:vpc-0c0c0c0c",
      "aws:111111111111:us-east-1:vpc-0a1b2c3d",
    ]);
    expect(narrowed.locations).toEqual([EAST, OTHER]);
    expect(narrowed.apiFor).toBe(apiFor);
  });

  it("keeps the location of each named workload too", () => {
    const narrowed = narrowAws(
      connection,
      ["aws:111111111111:us-east-1:vpc-0a1b2c3d"],
      ["aws:222222222222:us-east-1:i-0a00000000000001", "gcp:shop-prod:us-central1-a:db-1"],
    );
    expect(narrowed.locations).toEqual([EAST, OTHER]);
  });

  it("keeps a location once however many of its networks are named", () => {
    const narrowed = narrowAws(connection, [
      "aws:111111111111:eu-west-1:vpc-0b0b0b0b",
      "aws:111111111111:eu-west-1:vpc-0d0d0d0d",
      "aws:111111111111:eu-west-1:vpc-0b0b0b0b",
    ]);
    expect(narrowed.locations).toEqual([WEST]);
  });

  it("tells accounts apart in the same region, and regions apart in the same account", () => {
    expect(narrowAws(connection, ["aws:222222222222:us-east-1:vpc-0a1b2c3d"]).locations).toEqual([OTHER]);
    expect(narrowAws(connection, ["aws:111111111111:eu-west-1:vpc-0a1b2c3d"]).locations).toEqual([WEST]);
  });

  it("ignores other clouds' networks and networks of locations the connection does not manage", () => {
    const narrowed = narrowAws(connection, [
      "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-net:vnet-prod",
      "gcp:shop-prod:prod-net",
      "aws:333333333333:us-east-1:vpc-0a1b2c3d",
      "aws:111111111111:ap-south-1:vpc-0a1b2c3d",
    ]);
    expect(narrowed.locations).toEqual([]);
    expect(narrowed.apiFor).toBe(apiFor);
  });

  it("gives no locations for no networks and leaves the connection as it was", () => {
    expect(narrowAws(connection, []).locations).toEqual([]);
    expect(connection.locations).toEqual([EAST, WEST, OTHER]);
  });

  it("is the provider's narrow", () => {
    const provider = createAwsProvider({ quotas: DEFAULT_AWS_QUOTAS, sealer: SEALER });
    const narrowed = provider.narrow(connection, [
      "aws:111111111111:eu-west-1:vpc-0b0b0b0b",
      "gcp:shop-prod:prod-net",
    ]);
    expect(narrowed).toEqual({ apiFor, locations: [WEST] });
  });
});
