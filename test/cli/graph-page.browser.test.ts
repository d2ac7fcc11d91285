/**
 * The page of `graph --format html` opened in a real browser (Debian's chromium, driven by
 * playwright-core): it renders without a script, every node, edge and the legend are there, no
 * two nodes overlap, and a screenshot comes out.
 */
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graph } from "../../cli/commands/graph.js";
import { flowGraph } from "../../lib/graph/build.js";
import { EXAMPLES, intentOf, WARNINGS } from "../graph/fixtures.js";
import { REPO_ROOT } from "../policy/fixtures.js";
import { pathOf, skipWithout } from "../support/external-tool.js";

interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe.skipIf(skipWithout("chromium", "the graph page browser tests", "apt-get install chromium"))(
  "graph --format html in Chromium",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "segsync-graph-page-"));
    let browser: Browser;

    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: pathOf("chromium"), args: ["--no-sandbox"] });
    }, 30_000);

    afterAll(async () => {
      await browser?.close();
    });

    it.each([
      ["examples", EXAMPLES],
      ["warnings", WARNINGS],
    ])(
      "draws the %s: every node and edge, the legend, no overlap, a screenshot",
      async (name, files) => {
        const out = join(dir, `${name}.html`);
        const said: string[] = [];
        const io = { out: (text: string) => said.push(text), err: (text: string) => said.push(text) };
        const code = await graph(
          {
            policy: join(REPO_ROOT, files.policy),
            estate: join(REPO_ROOT, files.estate),
            format: "html",
            out,
          },
          io,
        );
        expect(said.join("")).toMatch(/: \d+ identities, \d+ flows, \d+ findings \(html\)\n$/);
        expect(code).toBe(0);
        expect(readFileSync(out, "utf8")).not.toMatch(/<script/);
        const expected = flowGraph(await intentOf(files));

        const page = await browser.newPage({ javaScriptEnabled: false });
        const errors: string[] = [];
        page.on("console", (message) => {
          if (message.type() === "error") errors.push(message.text());
        });
        page.on("pageerror", (error) => errors.push(error.message));
        await page.goto(pathToFileURL(out).href);

        const svg = await page.locator("svg.graph[role=img]").boundingBox();
        expect(svg?.width ?? 0).toBeGreaterThan(100);
        expect(svg?.height ?? 0).toBeGreaterThan(100);
        const nodeIds = await page
          .locator("[data-node]")
          .evaluateAll((els) => els.map((e) => e.getAttribute("data-node")));
        expect(nodeIds.sort()).toEqual(expected.nodes.map((n) => n.id).sort());
        const edgeIds = await page
          .locator("[data-edge]")
          .evaluateAll((els) => els.map((e) => e.getAttribute("data-edge")));
        expect(edgeIds.sort()).toEqual(expected.edges.map((e) => e.id).sort());
        for (const edge of expected.edges) {
          const path = await page.locator(`[data-edge="${edge.id}"] path`).boundingBox();
          expect(path && path.width + path.height).toBeGreaterThan(0);
        }
        expect(await page.locator("[data-legend] [data-legend-state]").count()).toBe(5);
        expect(await page.locator("[data-legend] [data-legend-kind]").count()).toBe(4);
        expect(await page.locator("[data-finding]").count()).toBe(expected.findings.length);
        for (const node of expected.nodes) {
          const drawn = page.locator(`[data-node="${node.id}"]`);
          expect(await drawn.getAttribute("data-state")).toBe(node.state);
          expect(await drawn.locator(".badge").count(), `badge on ${node.id}`).toBe(
            node.findings.length > 0 ? 1 : 0,
          );
        }

        const boxes: Box[] = [];
        for (const id of nodeIds) {
          const box = await page.locator(`[data-node="${id}"] > rect`).boundingBox();
          expect(box, `node ${id} is drawn`).not.toBeNull();
          if (box) boxes.push(box);
        }
        for (const [i, a] of boxes.entries())
          for (const [j, b] of boxes.entries())
            if (i < j) expect(overlaps(a, b), `${nodeIds[i]} overlaps ${nodeIds[j]}`).toBe(false);
        expect(errors).toEqual([]);

        const screenshot = join(dir, `${name}.png`);
        await page.screenshot({ path: screenshot, fullPage: true });
        expect(statSync(screenshot).size).toBeGreaterThan(10_000);
        await page.close();
      },
      60_000,
    );
  },
);
