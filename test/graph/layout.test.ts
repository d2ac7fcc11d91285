import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { flowGraph } from "../../lib/graph/build.js";
import { parseCheckReport } from "../../lib/graph/check-report.js";
import { layoutGraph, type Point, type Rect } from "../../lib/graph/layout.js";
import type { FlowGraph } from "../../lib/graph/model.js";
import { overlayObserved } from "../../lib/graph/observed.js";
import { REPO_ROOT } from "../policy/fixtures.js";
import { EXAMPLES, intentOf, WARNINGS } from "./fixtures.js";

const inside = (inner: Rect, outer: Rect) =>
  inner.x >= outer.x &&
  inner.y >= outer.y &&
  inner.x + inner.width <= outer.x + outer.width &&
  inner.y + inner.height <= outer.y + outer.height;

/** On the rectangle's border, give or take a pixel (ELK ends edges exactly there). */
const onBorder = (p: Point, r: Rect) => {
  const withinX = p.x >= r.x - 1 && p.x <= r.x + r.width + 1;
  const withinY = p.y >= r.y - 1 && p.y <= r.y + r.height + 1;
  const nearX = Math.abs(p.x - r.x) <= 1 || Math.abs(p.x - (r.x + r.width)) <= 1;
  const nearY = Math.abs(p.y - r.y) <= 1 || Math.abs(p.y - (r.y + r.height)) <= 1;
  return withinX && withinY && (nearX || nearY);
};

describe("layoutGraph", () => {
  it.each([
    ["examples", EXAMPLES],
    ["warnings", WARNINGS],
  ])(
    "places the %s: nodes in their cloud's cluster, edges from border to border, all in the picture",
    async (_, files) => {
      const graph = flowGraph(await intentOf(files));
      const layout = await layoutGraph(graph);
      const picture = { x: 0, y: 0, width: layout.width, height: layout.height };
      expect(layout.nodes.map((n) => n.node.id).sort()).toEqual(graph.nodes.map((n) => n.id).sort());
      const placed = new Map(layout.nodes.map((n) => [n.node.id, n]));
      for (const node of layout.nodes) {
        const cluster = layout.clusters.find((c) => c.group === node.node.group);
        expect(cluster && inside(node, cluster), node.node.id).toBe(true);
        expect(node.width).toBe(node.box.width);
        expect(node.height).toBe(node.box.height);
      }
      expect(layout.edges).toHaveLength(graph.edges.length);
      for (const { edge, points, label } of layout.edges) {
        const from = placed.get(edge.from) as Rect;
        const to = placed.get(edge.to) as Rect;
        expect(points.length, edge.id).toBeGreaterThanOrEqual(2);
        expect(onBorder(points[0] as Point, from), `${edge.id} starts on its source`).toBe(true);
        expect(onBorder(points.at(-1) as Point, to), `${edge.id} ends on its destination`).toBe(true);
        expect(inside(label, picture), `${edge.id} label`).toBe(true);
      }
    },
  );

  it("routes each observed flow from its source's border to its destination's, beside the policy's edges", async () => {
    const check = "test/fixtures/graph/check.json";
    const report = parseCheckReport(readFileSync(join(REPO_ROOT, check), "utf8"), check);
    const graph = overlayObserved(flowGraph(await intentOf(WARNINGS)), report, check);
    const layout = await layoutGraph(graph);
    expect(layout.edges.map((e) => e.edge)).toEqual(graph.edges);
    expect(layout.observed.map((e) => e.edge)).toEqual(graph.observed?.edges);
    const placed = new Map(layout.nodes.map((n) => [n.node.id, n]));
    expect([...placed.keys()].sort()).toEqual(graph.nodes.map((n) => n.id).sort());
    for (const { edge, points, label } of layout.observed) {
      expect(
        onBorder(points[0] as Point, placed.get(edge.from) as Rect),
        `${edge.id} starts on its source`,
      ).toBe(true);
      expect(
        onBorder(points.at(-1) as Point, placed.get(edge.to) as Rect),
        `${edge.id} ends on its destination`,
      ).toBe(true);
      expect(label.text).toMatch(/^\S+(?: \S+)*: \d+ seen/);
    }
  });

  it("lays out a flow from an identity to itself", async () => {
    const graph: FlowGraph = {
      nodes: [
        {
          id: "aws|app=shop,role=web",
          kind: "identity",
          group: "aws",
          label: "app=shop,role=web",
          workloads: [
            {
              id: "aws:111111111111:us-east-1:i-0a00000000000001",
              name: "i-0a00000000000001",
              state: "enforced",
            },
          ],
          cidrs: [],
          state: "enforced",
          findings: [],
        },
      ],
      edges: [
        {
          id: "aws|app=shop,role=web→aws|app=shop,role=web",
          from: "aws|app=shop,role=web",
          to: "aws|app=shop,role=web",
          services: [{ protocol: "tcp", fromPort: 8080, toPort: 8080 }],
          rules: ["shop#0"],
          kind: "normal",
          findings: [],
        },
      ],
      findings: [],
    };
    const layout = await layoutGraph(graph);
    expect(layout.edges[0]?.points.length).toBeGreaterThanOrEqual(2);
  });
});
