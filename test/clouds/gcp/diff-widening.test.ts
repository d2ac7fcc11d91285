/**
 * A rule's source tags swapping, make-before-break (lib/clouds/gcp/diff.ts, patchWrites): the
 * rule is widened to both tags before any setTags, then patched as wanted. The decision is the
 * rule's own, so a plan of the rule's project is the same whether or not the re-tagged instance's
 * project (a Shared VPC service project) is read with it.
 */
import { describe, expect, it } from "vitest";
import { diffGcp } from "../../../lib/clouds/gcp/diff.js";
import type { GcpDesired } from "../../../lib/clouds/gcp/materialize.js";
import type { GcpFirewall, GcpInstance, GcpState } from "../../../lib/clouds/gcp/model.js";
import { networkUrl } from "../../../lib/clouds/gcp/model.js";
import type { GcpOperation } from "../../../lib/clouds/gcp/operations.js";
import { GCP_OWNERSHIP } from "../../support/seals.js";

const HOST = "shop-prod";
const SERVICE = "tools-dev1";
const NAME = "segsync-dbtag-rule-t0";

function rule(sourceTags: string[], text = "db from old"): GcpFirewall {
  return {
    name: NAME,
    network: networkUrl(HOST, "prod-net"),
    direction: "INGRESS",
    priority: 900,
    allowed: [{ IPProtocol: "tcp", ports: ["5432"] }],
    sourceTags,
    targetTags: ["segsync-dbtag"],
    description: GCP_OWNERSHIP.describe(HOST, NAME, text),
  };
}

function instance(tags: string[]): GcpInstance {
  return {
    name: "vm-app",
    zone: `https://www.googleapis.com/compute/v1/projects/${SERVICE}/zones/us-central1-a`,
    status: "RUNNING",
    tags: { items: tags, fingerprint: "fp-1" },
    networkInterfaces: [{ network: networkUrl(HOST, "prod-net"), networkIP: "10.22.5.2" }],
  };
}

/** The plan for the rule swapping `segsync-old` for `segsync-new`, reading `projects`. */
function plan(projects: string[], sourceTagsPerRule = 30): GcpOperation[] {
  const wanted = rule(["segsync-new"], "db from new");
  const state: GcpState = [
    { project: HOST, instances: [], firewalls: [rule(["segsync-old"])] },
    { project: SERVICE, instances: [instance(["segsync-old"])], firewalls: [] },
  ].filter((p) => projects.includes(p.project));
  const desired: GcpDesired = {
    firewalls: projects.includes(HOST) ? [{ project: HOST, ...wanted }] : [],
    instances: projects.includes(SERVICE)
      ? [
          {
            project: SERVICE,
            zone: "us-central1-a",
            name: "vm-app",
            workload: "gcp:x",
            items: ["segsync-new"],
          },
        ]
      : [],
    findings: [],
    ruleBudget: Object.fromEntries(projects.map((p) => [p, { quota: 500, others: 0 }])),
    sourceTagsPerRule,
  };
  return diffGcp(desired, state, GCP_OWNERSHIP);
}

/** Each write as `<kind> <tags>`, in plan order. */
function writes(operations: GcpOperation[]): string[] {
  return operations.map((op) =>
    op.kind === "patchFirewall"
      ? `patch ${(op.firewall.sourceTags ?? []).join(",")}${op.widening ? " (widening)" : ""}`
      : op.kind === "setTags"
        ? `setTags ${op.items.join(",")}`
        : op.kind,
  );
}

describe("GCP: a rule whose source tags swap is widened before the instances' tags change", () => {
  it("widens, sets the instance's tags, then patches as wanted", () => {
    expect(writes(plan([HOST, SERVICE]))).toEqual([
      "patch segsync-old,segsync-new (widening)",
      "setTags segsync-new",
      "patch segsync-new",
    ]);
  });

  it("plans the rule's project the same without the re-tagged instance's project", () => {
    const whole = plan([HOST, SERVICE]).filter((op) => op.project === HOST);
    expect(plan([HOST])).toEqual(whole);
    expect(writes(plan([HOST]))).toEqual(["patch segsync-old,segsync-new (widening)", "patch segsync-new"]);
  });

  it("patches once where a rule may hold one source tag only", () => {
    expect(writes(plan([HOST, SERVICE], 1))).toEqual(["setTags segsync-new", "patch segsync-new"]);
  });
});
