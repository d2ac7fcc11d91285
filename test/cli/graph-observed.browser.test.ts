/**
 * `graph --flows CHECK.json --format html` opened in a real browser (Debian's chromium, driven by
 * playwright-core, as graph-page.browser.test.ts): every observed edge is drawn, the four kinds
 * look different from each other and from the policy's edges, the legend shows them as drawn,
 * and a would-be-blocked edge's details give its counts and times.
 */
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graph } from "../../cli/commands/graph.js";
import { flowGraph } from "../../lib/graph/build.js";
import { parseCheckReport } from "../../lib/graph/check-report.js";
import { OBSERVED_KINDS } from "../../lib/graph/model.js";
import { overlayObserved } from "../../lib/graph/observed.js";
import { intentOf, WARNINGS } from "../graph/fixtures.js";
import { REPO_ROOT } from "../policy/fixtures.js";
import { pathOf, skipWithout } from "../support/external-tool.js";

const CHECK = join(REPO_ROOT, "test/fixtures/graph/check.json");

/** How a path is drawn: what tells one edge kind from another on screen. */
function lookOf(path: Locator): Promise<string> {
  return path.evaluate((element) => {
    const style = element.ownerDocument.defaultView?.getComputedStyle(element);
    if (!style) throw new Error("the page has no window");
    return [style.stroke, style.strokeWidth, style.strokeDasharray, element.getAttribute("marker-end")].join(
      " | ",
    );
  });
}

async function drawnPage(browser: Browser, out: string): Promise<Page> {
  const said: string[] = [];
  const io = { out: (text: string) => said.push(text), err: (text: string) => said.push(text) };
  const code = await graph(
    {
      policy: join(REPO_ROOT, WARNINGS.policy),
      estate: join(REPO_ROOT, WARNINGS.estate),
      format: "html",
      out,
      flows: CHECK,
    },
    io,
  );
  expect(said.join("")).toMatch(/, 8 observed flows \(2 would be blocked\) \(html\)\n$/);
  expect(code).toBe(0);
  expect(readFileSync(out, "utf8")).not.toMatch(/<script/);
  const page = await browser.newPage({ javaScriptEnabled: false });
  await page.goto(pathToFileURL(out).href);
  return page;
}

describe.skipIf(skipWithout("chromium", "the graph page browser tests", "apt-get install chromium"))(
  "graph --flows --format html in Chromium",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "segsync-graph-observed-"));
    let browser: Browser;

    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: pathOf("chromium"), args: ["--no-sandbox"] });
    }, 30_000);

    afterAll(async () => {
      await browser?.close();
    });

    it("draws every observed edge, each kind distinctly, with its legend, and would-be-blocked details with counts", async () => {
      const page = await drawnPage(browser, join(dir, "observed.html"));
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      const expected = overlayObserved(
        flowGraph(await intentOf(WARNINGS)),
        parseCheckReport(readFileSync(CHECK, "utf8"), CHECK),
        CHECK,
      );
      const observed = expected.observed?.edges ?? [];

      const drawn = await page
        .locator("svg.graph[role=img] [data-observed]")
        .evaluateAll((els) =>
          els.map((e) => `${e.getAttribute("data-observed-kind")}:${e.getAttribute("data-observed")}`),
        );
      expect(drawn.sort()).toEqual(observed.map((e) => e.id).sort());
      for (const edge of observed) {
        const box = await page
          .locator(`[data-observed="${edge.from}→${edge.to}"][data-observed-kind="${edge.kind}"] path`)
          .boundingBox();
        expect(box && box.width + box.height, edge.id).toBeGreaterThan(0);
      }
      for (const node of expected.nodes)
        expect(await page.locator(`[data-node="${node.id}"]`).count(), node.id).toBe(1);

      // Each kind has one look in the picture, the same as in its legend, and no two kinds share one.
      const looks = new Map<string, string>();
      for (const kind of OBSERVED_KINDS) {
        const inPicture = new Set<string>();
        for (const path of await page
          .locator(`svg.graph[role=img] [data-observed-kind="${kind}"] path`)
          .all())
          inPicture.add(await lookOf(path));
        expect([...inPicture], kind).toHaveLength(1);
        const look = [...inPicture][0] ?? "";
        expect(
          await lookOf(page.locator(`[data-legend] [data-legend-observed="${kind}"] path`)),
          `legend of ${kind}`,
        ).toBe(look);
        looks.set(kind, look);
      }
      for (const path of await page.locator("svg.graph[role=img] [data-edge] path").all())
        looks.set(
          `policy ${await path.evaluate((e) => e.parentElement?.getAttribute("data-kind"))}`,
          await lookOf(path),
        );
      expect(new Set(looks.values()).size, JSON.stringify([...looks])).toBe(looks.size);

      // The would-be-blocked edges lead the table; their details (the table, the tooltip) give counts and times.
      const rows = await page
        .locator("tr[data-observed-row]")
        .evaluateAll((els) => els.map((e) => e.getAttribute("data-observed-kind")));
      expect(rows).toEqual(observed.map((e) => e.kind));
      expect(rows.slice(0, 2)).toEqual(["would-block", "would-block"]);
      const row = page.locator(
        'tr[data-observed-row="gcp|app=shop,role=web→aws|app=shop,role=api"][data-observed-kind="would-block"]',
      );
      expect(await row.locator("td").allInnerTexts()).toEqual([
        "app=shop,role=web (GCP)",
        "app=shop,role=api (AWS)",
        "tcp/22",
        "would be blocked",
        "5 connections (5 accepted, 0 rejected)",
        "2026-11-30T08:00:00Z",
        "2026-11-30T17:45:10Z",
        "denied by default deny",
      ]);
      const tooltip = await page
        .locator(
          '[data-observed="gcp|app=shop,role=web→aws|app=shop,role=api"][data-observed-kind="would-block"] > title',
        )
        .textContent();
      expect(tooltip).toContain("5 connections (5 accepted, 0 rejected) in 1 groups");
      expect(tooltip).toContain("first seen 2026-11-30T08:00:00Z, last seen 2026-11-30T17:45:10Z");

      // The policy's edge no flow went along says so; the others do not.
      const notObserved = await page
        .locator("svg.graph [data-not-observed]")
        .evaluateAll((els) => els.map((e) => e.getAttribute("data-edge")));
      expect(notObserved).toEqual(expected.observed?.notObserved);
      expect(await page.locator(`tr[data-flow][data-not-observed] td`).last().innerText()).toBe(
        "not observed",
      );
      expect(await page.locator("[data-legend] [data-legend-observed]").count()).toBe(4);
      expect(await page.locator("[data-check-finding]").count()).toBe(2);
      expect(errors).toEqual([]);

      const screenshot = join(dir, "observed.png");
      await page.screenshot({ path: screenshot, fullPage: true });
      expect(statSync(screenshot).size).toBeGreaterThan(10_000);
      await page.close();
    }, 60_000);
  },
);
