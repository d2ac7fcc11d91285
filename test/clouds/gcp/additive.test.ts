import { describe, expect, it } from "vitest";
import { additiveFindings } from "../../../lib/clouds/gcp/additive.js";
import type { GcpFirewall, GcpInstance } from "../../../lib/clouds/gcp/model.js";
import type { DestinationIntent } from "../../../lib/compile/model.js";

const NET = "gcp:shop-prod:prod-net";
const destination: DestinationIntent = {
  key: `abc@${NET}`,
  identity: "app=shop,role=web",
  hash: "abc",
  network: NET,
  cloud: "gcp",
  labels: { app: "shop", role: "web" },
  enforcement: "enforced",
  members: [],
  grants: [],
};
const instance: GcpInstance = {
  name: "shop-web-3",
  zone: "us-central1-a",
  status: "RUNNING",
  tags: { items: ["legacy-web"] },
  networkInterfaces: [],
};
const rule = (over: Partial<GcpFirewall>): GcpFirewall => ({
  name: "r",
  network: "projects/shop-prod/global/networks/prod-net",
  priority: 1000,
  direction: "INGRESS",
  allowed: [{ IPProtocol: "tcp", ports: ["8080"] }],
  sourceRanges: ["0.0.0.0/0"],
  ...over,
});
const band = { allow: 900, deny: 65000 };
const reported = (rules: GcpFirewall[]) =>
  additiveFindings({ destination, instances: [instance], customerRules: rules, band }).map((f) => f.message);

describe("GCP additive attachment: customer rules between segsync's allows and its deny", () => {
  it("reports a rule that targets a member's tag or every instance, and says 'may' for service accounts", () => {
    expect(
      reported([
        rule({ name: "by-tag", targetTags: ["legacy-web"] }),
        rule({
          name: "everyone",
          sourceRanges: undefined,
          sourceTags: ["bastion"],
          allowed: [{ IPProtocol: "all" }],
        }),
        rule({ name: "by-account", targetServiceAccounts: ["web@shop-prod.iam.gserviceaccount.com"] }),
      ]),
    ).toEqual([
      "app=shop,role=web in gcp:shop-prod:prod-net: firewall rule by-tag (priority 1000) stays before segsync's deny (attachment: additive) and admits tcp/8080 from 0.0.0.0/0, beyond what the policy allows",
      "app=shop,role=web in gcp:shop-prod:prod-net: firewall rule everyone (priority 1000) stays before segsync's deny (attachment: additive) and admits all traffic from tag bastion, beyond what the policy allows",
      "app=shop,role=web in gcp:shop-prod:prod-net: firewall rule by-account (priority 1000) stays before segsync's deny (attachment: additive) and may admit tcp/8080 from 0.0.0.0/0, beyond what the policy allows",
    ]);
  });

  it("leaves out other tags, other networks, denies, egress, disabled rules and priorities outside the band", () => {
    expect(
      reported([
        rule({ targetTags: ["other"] }),
        rule({ network: "projects/shop-prod/global/networks/other-net" }),
        rule({ allowed: undefined, denied: [{ IPProtocol: "tcp" }] }),
        rule({ direction: "EGRESS" }),
        rule({ disabled: true }),
        rule({ priority: 800 }),
        rule({ priority: 65000 }),
      ]),
    ).toEqual([]);
  });
});
