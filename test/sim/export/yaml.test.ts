import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadEstateText } from "../../../sim/estate.js";
import type { LiveExport } from "../../../sim/export/live.js";
import { exportedEstateYaml } from "../../../sim/export/yaml.js";

const EXPORTED: LiveExport = {
  estate: {
    apiVersion: "segsync/v1",
    kind: "Estate",
    networks: [{ id: "gcp:shop-prod:prod-net", cidr: "10.3.0.0/16" }],
    workloads: [
      {
        id: "gcp:shop-prod:us-central1-a:shop-db-1",
        network: "gcp:shop-prod:prod-net",
        privateIp: "10.3.0.31",
        state: "running",
        tags: { "seg-app": "shop" },
      },
    ],
  },
  findings: [],
  resealed: 0,
  places: ["aws:123456789012:eu-west-1", "gcp:shop-prod"],
};

describe("the exported estate as a file", () => {
  it("says where and when it was read in a comment, then the estate as it is", () => {
    const text = exportedEstateYaml(EXPORTED, new Date("2026-12-05T11:00:00Z"));
    expect(text.split("\n").slice(0, 4)).toEqual([
      "# Exported by `segsync estate export --live` at 2026-12-05T11:00:00.000Z, read-only, from:",
      "#   aws:123456789012:eu-west-1",
      "#   gcp:shop-prod",
      '# Run plan, simulate and explain on it with --estate; docs/live.md, "Exporting your estate".',
    ]);
    expect(parse(text)).toEqual(EXPORTED.estate);
    const loaded = loadEstateText(text, "exported.yaml");
    expect(loaded.ok ? [] : loaded.issues).toEqual([]);
  });

  it("says how many seals it replaced and how many findings it had, only when there are some", () => {
    const plain = exportedEstateYaml(EXPORTED, new Date(0));
    expect(plain).not.toMatch(/seal|finding/);
    const text = exportedEstateYaml(
      {
        ...EXPORTED,
        resealed: 3,
        findings: [{ code: "aws-export-tag", severity: "warning", subject: "x", message: "x" }],
      },
      new Date(0),
    );
    expect(text).toMatch(
      /^# 3 object\(s\) and record\(s\) that segsync owns carry a seal under the simulator's$/m,
    );
    expect(text).toMatch(/^# 1 finding\(s\) while reading \(said on stderr\): what they name is not$/m);
  });
});
