import { describe, expect, it } from "vitest";
import type { GcpApi } from "../../../lib/clouds/gcp/api.js";
import { narrowGcp } from "../../../lib/clouds/gcp/provider.js";
import { projectsToRead } from "../../../lib/clouds/gcp/service-projects.js";
import { SimulatedCompute } from "../../../sim/clouds/gcp/api.js";

/** shop-prod hosts shop-svc-a and shop-svc-b; shop-svc-c is attached to another host; tools-dev1 is nobody's. */
function projects() {
  const sims = new Map(
    ["shop-prod", "shop-svc-a", "shop-svc-b", "shop-svc-c", "other-host", "tools-dev1"].map(
      (p) => [p, SimulatedCompute.empty(p)] as const,
    ),
  );
  const sim = (project: string): SimulatedCompute => {
    const found = sims.get(project);
    if (found === undefined) throw new Error(`no project ${project}`);
    return found;
  };
  for (const [host, service] of [
    ["shop-prod", "shop-svc-a"],
    ["shop-prod", "shop-svc-b"],
    ["other-host", "shop-svc-c"],
  ] as const) {
    sim(host).enableXpnResource(service);
    sim(service).setXpnHost(host);
  }
  const apiFor = (project: string): GcpApi => sim(project);
  return { apiFor, sim };
}

describe("projectsToRead: Shared VPC service projects of the configured hosts", () => {
  it("adds, at a full read, the service projects each host lists, configured or not", async () => {
    const { apiFor } = projects();
    const read = await projectsToRead({
      apiFor,
      projects: ["shop-prod", "tools-dev1"],
      hosts: ["shop-prod", "tools-dev1"],
    });
    expect(read).toEqual({ projects: ["shop-prod", "shop-svc-a", "shop-svc-b", "tools-dev1"], findings: [] });
  });

  it("reads only the configured projects when there are no hosts", async () => {
    const { apiFor, sim } = projects();
    const read = await projectsToRead({ apiFor, projects: ["shop-prod"] });
    expect(read.projects).toEqual(["shop-prod"]);
    expect(sim("shop-prod").calls).toEqual([]);
  });

  it("fails a full read whose host cannot list its service projects: they would read as empty", async () => {
    const { apiFor, sim } = projects();
    sim("shop-prod").setThrottle({ throttleRate: 1, seed: 1 });
    await expect(projectsToRead({ apiFor, projects: ["shop-prod"], hosts: ["shop-prod"] })).rejects.toThrow();
  });

  it("adds, narrowed, a candidate whose host is configured, and reports one that is not or cannot say", async () => {
    const { apiFor, sim } = projects();
    sim("shop-svc-b").setThrottle({ throttleRate: 1, seed: 1 });
    const narrowed = narrowGcp(
      { apiFor, projects: ["shop-prod", "tools-dev1"], hosts: ["shop-prod", "tools-dev1"] },
      ["gcp:shop-prod:prod-net"],
      [
        "gcp:shop-svc-a:us-central1-a:web-1",
        "gcp:shop-svc-b:us-central1-a:web-2",
        "gcp:shop-svc-c:us-central1-a:web-3",
        "gcp:shop-prod:us-central1-a:db-1",
      ],
    );
    expect(narrowed.projects).toEqual(["shop-prod"]);
    expect(narrowed.candidates).toEqual(["shop-svc-a", "shop-svc-b", "shop-svc-c"]);
    const read = await projectsToRead(narrowed);
    expect(read.projects).toEqual(["shop-prod", "shop-svc-a"]);
    expect(read.findings.map((f) => [f.code, f.subject])).toEqual([
      ["gcp-project-not-read", "shop-svc-b"],
      ["gcp-project-not-read", "shop-svc-c"],
    ]);
    expect(read.findings[1]?.message).toMatch(/its host: other-host/);
    // A narrowed read asks no host for its list.
    expect(sim("shop-prod").calls.map((c) => c.method)).not.toContain("getXpnResources");
  });

  it("has no candidates when the connection has no hosts", () => {
    const { apiFor } = projects();
    const narrowed = narrowGcp(
      { apiFor, projects: ["shop-prod"] },
      [],
      ["gcp:shop-svc-a:us-central1-a:web-1"],
    );
    expect(narrowed).toMatchObject({ projects: [], candidates: [] });
  });
});

describe("SimulatedCompute: Shared VPC as Compute answers it", () => {
  it("lists a host's service projects sorted, names a service project's host, and neither for others", async () => {
    const { sim } = projects();
    expect(await sim("shop-prod").getXpnResources()).toEqual(["shop-svc-a", "shop-svc-b"]);
    expect(await sim("shop-svc-a").getXpnHost()).toBe("shop-prod");
    expect(await sim("tools-dev1").getXpnResources()).toEqual([]);
    expect(await sim("tools-dev1").getXpnHost()).toBeUndefined();
  });

  it("refuses a project attached to two hosts, or to itself", () => {
    const { sim } = projects();
    expect(() => sim("shop-svc-a").setXpnHost("other-host")).toThrow(
      /already a service project of shop-prod/,
    );
    expect(() => sim("shop-prod").enableXpnResource("shop-prod")).toThrow(/its own/);
  });
});
