import { describe, expect, it } from "vitest";
import { identityHash } from "../../lib/inventory/identity.js";
import { namesOf, planNames } from "../../lib/reconcile/plan-names.js";

const WEB = "aws:111111111111:us-east-1:i-0a00000000000001";
const VM = "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-shop-prod:vm-web-1";
const VM_OTHER_RG = "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-shop-dev:vm-web-1";
const NET = "gcp:shop-prod:prod-net";

describe("short names in plan text", () => {
  it("names a workload or network by its last part and cloud, punctuation after it kept", () => {
    const names = namesOf([WEB, NET]);
    expect(names.shorten(`${WEB} cannot be seen from ${NET}: no NIC`)).toBe(
      "i-0a00000000000001 (aws) cannot be seen from prod-net (gcp): no NIC",
    );
    expect(names.shorten(`migrate ${WEB}.`)).toBe("migrate i-0a00000000000001 (aws).");
  });

  it("keeps the full id where two share a short name, and ids it does not know", () => {
    const names = namesOf([VM, VM_OTHER_RG, WEB]);
    expect(names.shorten(`${VM} and ${VM_OTHER_RG}`)).toBe(`${VM} and ${VM_OTHER_RG}`);
    expect(names.shorten("aws:222222222222:eu-west-1:i-unknown")).toBe(
      "aws:222222222222:eu-west-1:i-unknown",
    );
  });

  it("names an Azure resource by its name and cuts a seal to its first characters", () => {
    const names = namesOf([]);
    const nic =
      "/subscriptions/8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f/resourceGroups/rg-shop-prod/providers/Microsoft.Network/networkInterfaces/vm-api-2-nic";
    expect(names.shorten(`${nic} has its own NSG`)).toBe("vm-api-2-nic has its own NSG");
    expect(names.shorten(`tags web segsync-seal-${"ab".repeat(20)}`)).toBe("tags web segsync-seal-abababab…");
  });

  it("follows segsync's names with the identity they stand for, from the intent", () => {
    const identity = "app=shop,role=web";
    const hash = identityHash(identity);
    const names = planNames({
      workloads: [{ workload: WEB, treatment: "enforced", identity }],
      destinations: [],
      peerSets: [],
    });
    expect(names.annotate(`+ tcp/80 from segsync-${hash}`)).toBe(
      `+ tcp/80 from segsync-${hash} (${identity})`,
    );
    expect(names.annotate(`+ tcp/80 from segsync-${hash}-vpc-0a1b2c3d-5`)).toBe(
      `+ tcp/80 from segsync-${hash}-vpc-0a1b2c3d-5 (${identity})`,
    );
    // A name whose hash no identity of the intent has stays as it is.
    expect(names.annotate("+ tcp/80 from segsync-zzzzzzzzzzzz")).toBe("+ tcp/80 from segsync-zzzzzzzzzzzz");
    // shorten leaves names alone: creates already say "for <identity>".
    expect(names.shorten(`segsync-${hash}`)).toBe(`segsync-${hash}`);
  });
});
