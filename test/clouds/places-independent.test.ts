/**
 * Which plans a cloud's places may be written concurrently for (CloudProvider.placesIndependent,
 * lib/reconcile/driver.ts): AWS locations and Azure subscriptions always; GCP projects only where
 * no instance is tagged in one project under another's firewall rules (Shared VPC).
 */
import { describe, expect, it } from "vitest";
import type { GcpOperation } from "../../lib/clouds/gcp/operations.js";
import { testProviders } from "../support/providers.js";

const firewall = (project: string): GcpOperation => ({ project, kind: "deleteFirewall", name: "segsync-x" });
const tag = (project: string): GcpOperation => ({
  project,
  kind: "setTags",
  zone: "us-central1-a",
  name: "vm-1",
  workload: `gcp:${project}:us-central1-a:vm-1`,
  before: [],
  items: ["segsync-x"],
  fingerprint: "f",
});

describe("placesIndependent", () => {
  const providers = testProviders();

  it("GCP: projects side by side for firewall writes alone, or for one project", () => {
    expect(providers.gcp.placesIndependent?.([firewall("host"), firewall("other")])).toBe(true);
    expect(providers.gcp.placesIndependent?.([firewall("host"), tag("host")])).toBe(true);
  });

  it("GCP: in order when an instance is tagged and another project is written (a Shared VPC host's rules first)", () => {
    expect(providers.gcp.placesIndependent?.([firewall("host"), tag("service")])).toBe(false);
    expect(providers.gcp.placesIndependent?.([tag("a"), tag("b")])).toBe(false);
  });

  it("AWS locations and Azure subscriptions are always independent", () => {
    expect(providers.aws.placesIndependent?.([])).toBe(true);
    expect(providers.azure.placesIndependent?.([])).toBe(true);
  });
});
