/**
 * End-to-end check of `make test`'s smoke runs (SMOKE_DIR/run1 with HTML, run2 without):
 * metrics are byte-identical across the two runs, every notebook has a report, and every
 * report opens in headless Chromium offline with no console errors and all plots drawn.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { chromium, Browser } from "playwright-core";
import { projectPaths } from "../../src/lib/config/paths";
import { checkChromium } from "../../src/lib/runtime/tools";

const smokeDir = path.resolve(process.env.SMOKE_DIR ?? "outputs/ci-smoke");
const run1 = path.join(smokeDir, "run1");
const run2 = path.join(smokeDir, "run2");
const notebooks = fs
  .readdirSync(projectPaths().notebooks)
  .filter((f) => /^\d{2}_.+\.ipynb$/.test(f))
  .map((f) => path.basename(f, ".ipynb"));

test("smoke runs exist", () => {
  assert.ok(fs.existsSync(run1), `${run1} missing: run 'make smoke-test'`);
  assert.ok(fs.existsSync(run2), `${run2} missing: run 'make smoke-test'`);
});

test("every notebook wrote metrics, byte-identical across two runs with the same seed", () => {
  for (const nb of notebooks) {
    const a = path.join(run1, "metrics", `${nb}.json`);
    const b = path.join(run2, "metrics", `${nb}.json`);
    assert.ok(fs.existsSync(a), `${nb} wrote no metrics JSON in run 1`);
    assert.ok(fs.existsSync(b), `${nb} wrote no metrics JSON in run 2`);
    assert.equal(fs.readFileSync(a, "utf8"), fs.readFileSync(b, "utf8"), `${nb}: metrics differ between two runs with seed 42`);
  }
});

const chrome = checkChromium();

test("reports render offline in headless Chromium: no console errors, every plot drawn", { skip: !chrome.ok && "chromium not installed" }, async () => {
  const browser: Browser = await chromium.launch({
    executablePath: chrome.path,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const pages = ["index", ...notebooks];
    for (const name of pages) {
      const file = path.join(run1, "reports", `${name}.html`);
      assert.ok(fs.existsSync(file), `report ${file} missing`);
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(`console.error: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
      page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
      page.on("request", (r) => {
        if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) problems.push(`network request (must be offline): ${r.url()}`);
      });
      await page.goto(`file://${file}`, { waitUntil: "load" });
      await page.waitForTimeout(500);
      const plots = await page.$$eval(".steel-plot", (els) => els.map((e) => ({ id: e.id, drawn: e.querySelector("svg.main-svg") !== null })));
      await page.close();
      assert.deepEqual(problems, [], `${name}.html has problems`);
      const undrawn = plots.filter((p) => !p.drawn).map((p) => p.id);
      assert.deepEqual(undrawn, [], `${name}.html: plots not drawn`);
      if (name === "index") assert.ok(plots.length >= 1, "index has no chart");
    }
  } finally {
    await browser.close();
  }
});
