/**
 * What an event recomputes of the egress table (docs/architecture.md, "What an event reads and
 * writes for egress"): an entry that read moved members is left as it is when its network reaches
 * them as before, has only its whole targets and findings redone when what its opens read of
 * addresses is the same, and is computed again otherwise; each time equal to a full compile.
 */
import { describe, expect, it } from "vitest";
import { compile, serializeIntent } from "../../lib/compile/compile.js";
import { IncrementalCompiler } from "../../lib/compile/incremental.js";
import type { EgressIntent } from "../../lib/compile/model.js";
import type { Inventory, Workload, WorkloadChange } from "../../lib/inventory/model.js";
import { AWS_VPC, egressDesignPolicy, GCP_NET, workload } from "./fixtures.js";

const shop = { app: "shop", env: "prod" };
const web = workload(
  "aws:111111111111:us-east-1:i-0e00000000000001",
  { network: AWS_VPC, privateIp: "10.1.0.11" },
  {
    ...shop,
    role: "web",
  },
);
const api = workload(
  "aws:111111111111:us-east-1:i-0e00000000000002",
  { network: AWS_VPC, privateIp: "10.1.0.20" },
  {
    ...shop,
    role: "api",
  },
);
const db = workload(
  "aws:111111111111:us-east-1:i-0e00000000000004",
  { network: AWS_VPC, privateIp: "10.1.0.40" },
  {
    ...shop,
    role: "db",
  },
);

/** A second api member, so that api's identity and every template stay while the first moves. */
const api2 = {
  ...api,
  id: "aws:111111111111:us-east-1:i-0e00000000000003",
  nics: [{ network: AWS_VPC, privateIp: "10.1.0.30" }],
};

/** Applies the changes one event at a time; after each, the snapshot equals a full compile. */
function run(workloads: readonly Workload[], events: readonly WorkloadChange[]) {
  const compiler = IncrementalCompiler.build(egressDesignPolicy(), {
    workloads: [...workloads],
    networks: [],
  });
  const webEntry = () => compiler.snapshot().egress?.find((e) => e.identity.includes("role=web"));
  const entries: (EgressIntent | undefined)[] = [webEntry()];
  let inventory: Inventory = { workloads: [...workloads], networks: [] };
  for (const event of events) {
    compiler.apply([event]);
    const others = inventory.workloads.filter(
      (w) => w.id !== (event.kind === "delete" ? event.id : event.workload.id),
    );
    inventory = { ...inventory, workloads: event.kind === "delete" ? others : [...others, event.workload] };
    expect(serializeIntent(compiler.snapshot())).toBe(
      serializeIntent(compile(egressDesignPolicy(), inventory)),
    );
    entries.push(webEntry());
  }
  return entries;
}

describe("an event's cost in the egress table", () => {
  it("leaves an entry as it was when its network reaches the moved members as before", () => {
    const renamed = { ...api, tags: { ...api.tags, Name: "api-renamed" } };
    const [before, after] = run([web, api, api2, db], [{ kind: "upsert", workload: renamed }]);
    expect(before).toBeDefined();
    expect(after).toBe(before);
  });

  it("redoes only findings when a target gains a member the network cannot reach", () => {
    const far = workload(
      "gcp:shop-prod:us-central1-a:api-2",
      { network: GCP_NET, privateIp: "10.3.0.5" },
      {
        ...shop,
        role: "api",
      },
    );
    const compiler = IncrementalCompiler.build(egressDesignPolicy(), {
      workloads: [web, api, db],
      networks: [],
    });
    const before = compiler.snapshot().egress?.find((e) => e.identity.includes("role=web"));
    compiler.apply([{ kind: "upsert", workload: far }]);
    const intent = compiler.snapshot();
    expect(serializeIntent(intent)).toBe(
      serializeIntent(compile(egressDesignPolicy(), { workloads: [web, api, db, far], networks: [] })),
    );
    const after = intent.egress?.find((e) => e.identity.includes("role=web"));
    expect(intent.findings.map((f) => f.subject)).toContain(`${after?.key} -> ${far.id}`);
    // Not computed again: its own members are the very same list.
    expect(after?.members).toBe(before?.members);
  });

  it("opens a target's new address without computing the entry again when no deny region meets it", () => {
    const moved = { ...api, nics: [{ network: AWS_VPC, privateIp: "10.1.0.21" }] };
    const [before, after] = run([web, api, api2, db], [{ kind: "upsert", workload: moved }]);
    const toApi = after?.opens.find((open) => open.target.kind === "identity");
    expect(toApi?.target.cidrs).toEqual(["10.1.0.21/32", "10.1.0.30/32"]);
    expect(after?.members).toBe(before?.members);
  });

  it("computes the entry again when a denied member's move changes what the deny region cuts", () => {
    const db2 = { ...db, id: "aws:111111111111:us-east-1:i-0e00000000000005" };
    const moved = { ...db, nics: [{ network: AWS_VPC, privateIp: "10.1.0.41" }] };
    const [before, after] = run(
      [web, api, db, { ...db2, nics: [{ network: AWS_VPC, privateIp: "10.1.0.50" }] }],
      [{ kind: "upsert", workload: moved }],
    );
    const anywhere = after?.opens.filter((open) => open.targetKey.startsWith("ipList:anywhere"));
    const opened = anywhere?.flatMap((open) => open.target.cidrs) ?? [];
    expect(opened).toContain("10.1.0.40/32");
    expect(opened).not.toContain("10.1.0.41/32");
    expect(after?.members).not.toBe(before?.members);
  });

  it("follows a denied identity that comes, moves and goes: its region is made anew each time", () => {
    const db2 = { ...db, nics: [{ network: AWS_VPC, privateIp: "10.1.0.41" }] };
    const entries = run(
      [web, api],
      [
        { kind: "upsert", workload: db },
        { kind: "upsert", workload: db2 },
        { kind: "delete", id: db.id },
      ],
    );
    const anywhere = (entry: EgressIntent | undefined) =>
      entry?.opens
        .filter((open) => open.targetKey.startsWith("ipList:anywhere"))
        .flatMap((o) => o.target.cidrs);
    expect(anywhere(entries[0])).toEqual(["0.0.0.0/0"]);
    expect(anywhere(entries[1])).not.toContain("0.0.0.0/0");
    expect(anywhere(entries[3])).toEqual(["0.0.0.0/0"]);
  });
});
