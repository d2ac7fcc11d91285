/**
 * The page of `graph --format html` opened in a real browser (Debian's chromium, driven by
 * playwright-core): it renders without a script, every node, edge and the legend are there, no
 * two nodes overlap, and a screenshot comes out.
 */
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graph } from "../../cli/commands/graph.js";
import { flowGraph } from "../../lib/graph/build.js";
import { drawnFrom, EXAMPLES, EXAMPLES_V2, WARNINGS } from "../graph/fixtures.js";
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

/** How an element is drawn: what tells one kind of edge or node from another on screen. */
function lookOf(element: Locator): Promise<string> {
  return element.evaluate((drawn) => {
    const style = drawn.ownerDocument.defaultView?.getComputedStyle(drawn);
    if (!style) throw new Error("the page has no window");
    return [
      style.stroke,
      style.strokeWidth,
      style.strokeDasharray,
      drawn.getAttribute("marker-end") ?? "",
    ].join(" | ");
  });
}

/**
 * Deny edges look as the legend's deny entry does and like no allowed edge; egress-enforced
 * nodes as the legend's egress entry does, and say so in their box.
 */
async function expectV2Drawn(page: Page, expected: ReturnType<typeof flowGraph>): Promise<void> {
  const denyLook = await lookOf(page.locator('[data-legend-kind="deny"] path'));
  expect(denyLook).toMatch(/^rgb\(198, 40, 40\) \| 2px \| 8px, 4px \| url\(#arrow-deny\)$/);
  const denies = expected.edges.filter((e) => e.kind === "deny");
  expect(denies.length).toBeGreaterThan(0);
  for (const edge of denies) {
    const drawn = page.locator(`[data-edge="${edge.id}"]`);
    expect(await drawn.getAttribute("data-kind")).toBe("deny");
    expect(await lookOf(drawn.locator("path"))).toBe(denyLook);
    expect(await drawn.locator("text").textContent()).toMatch(/^deny /);
  }
  const allowed = expected.edges.find((e) => e.kind === "normal");
  if (allowed) expect(await lookOf(page.locator(`[data-edge="${allowed.id}"] path`))).not.toBe(denyLook);
  const egressLook = await lookOf(page.locator("[data-legend-egress] rect"));
  expect(egressLook).toMatch(/\| 4px \|/);
  for (const node of expected.nodes) {
    const drawn = page.locator(`[data-node="${node.id}"]`);
    const enforced = node.egress === "enforced";
    expect(await drawn.getAttribute("data-egress")).toBe(enforced ? "enforced" : null);
    expect(await drawn.locator(".egress-tag").count()).toBe(enforced ? 1 : 0);
    if (node.state === "enforced")
      expect(
        (await lookOf(drawn.locator(":scope > rect"))) === egressLook,
        `${node.id} drawn as egress enforced`,
      ).toBe(enforced);
  }
}

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
      ["v2 examples", EXAMPLES_V2],
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
        expect(said.join("")).toMatch(
          /: \d+ identities, \d+ flows(, \d+ deny edges)?, \d+ findings \(html\)\n$/,
        );
        expect(code).toBe(0);
        expect(readFileSync(out, "utf8")).not.toMatch(/<script/);
        const { intent, policy } = await drawnFrom(files);
        const expected = flowGraph(intent, policy);

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
        const denies = expected.edges.some((e) => e.kind === "deny");
        expect(await page.locator("[data-legend] [data-legend-kind]").count()).toBe(denies ? 5 : 4);
        expect(await page.locator("[data-legend] [data-legend-egress]").count()).toBe(
          expected.nodes.some((n) => n.egress === "enforced") ? 1 : 0,
        );
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

        if (name === "v2 examples") await expectV2Drawn(page, expected);

        const screenshot = join(dir, `${name.replaceAll(" ", "-")}.png`);
        await page.screenshot({ path: screenshot, fullPage: true });
        expect(statSync(screenshot).size).toBeGreaterThan(10_000);
        await page.close();
      },
      60_000,
    );
  },
);
