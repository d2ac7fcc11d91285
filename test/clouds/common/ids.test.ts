import { describe, expect, it } from "vitest";
import { probeOf, workloadOf } from "../../../lib/clouds/common/ids.js";

const probe = (workload: string, network: string) => ({
  workload,
  network,
  sourceAddress: "10.0.0.1",
  protocol: "tcp" as const,
  port: 443,
});

describe("workloadOf", () => {
  it("gives a workload's parts when it is the cloud's", () => {
    expect(workloadOf("aws", "aws:111111111111:us-east-1:i-0a00000000000001")).toEqual({
      cloud: "aws",
      account: "111111111111",
      region: "us-east-1",
      instanceId: "i-0a00000000000001",
    });
  });

  it("refuses another cloud's workload, naming it and the cloud", () => {
    expect(() => workloadOf("aws", "gcp:proj-a:us-central1-a:vm-1")).toThrow(
      new TypeError("gcp:proj-a:us-central1-a:vm-1 is not an AWS workload"),
    );
    expect(() => workloadOf("azure", "gcp:proj-a:us-central1-a:vm-1")).toThrow("is not an Azure workload");
    expect(() => workloadOf("gcp", "azure:00000000-0000-0000-0000-000000000001:rg:vm-1")).toThrow(
      "is not a GCP workload",
    );
  });
});

describe("probeOf", () => {
  it("gives the probe's workload and network parts when both are the cloud's", () => {
    expect(probeOf("gcp", probe("gcp:proj-a:us-central1-a:vm-1", "gcp:proj-h:shared"))).toEqual({
      workload: { cloud: "gcp", project: "proj-a", zone: "us-central1-a", instanceName: "vm-1" },
      network: { cloud: "gcp", project: "proj-h", networkName: "shared" },
    });
  });

  it("is undefined when the workload or the network is another cloud's", () => {
    expect(probeOf("gcp", probe("aws:111111111111:us-east-1:i-0a00000000000001", "gcp:proj-h:shared"))).toBe(
      undefined,
    );
    expect(
      probeOf("gcp", probe("gcp:proj-a:us-central1-a:vm-1", "aws:111111111111:us-east-1:vpc-0a000001")),
    ).toBe(undefined);
  });
});
