/**
 * End-to-end check of `make test`'s smoke runs (SMOKE_DIR/run1 with HTML, run2 without):
 * metrics are byte-identical across the two runs, the smoke notebooks' numbers are the expected
 * ones (exact counts of the seeded synthetic data; headline scores recomputed from the
 * confusion matrix they report), every notebook has a report, and every report opens in
 * headless Chromium offline with no console errors and all plots drawn.
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

type Metrics = { run: string; provenance: { seed: number; profile: string; data: Record<string, string> }; headline: Record<string, number | string>; details: Record<string, any> };

function metrics(nb: string): Metrics {
  return JSON.parse(fs.readFileSync(path.join(run1, "metrics", `${nb}.json`), "utf8")) as Metrics;
}

function near(actual: unknown, expected: number, what: string, tol = 1e-6): void {
  assert.equal(typeof actual, "number", `${what} is not a number`);
  assert.ok(Math.abs((actual as number) - expected) <= tol, `${what}: ${actual}, expected ${expected}`);
}

/** Accuracy, macro- and weighted-F1 from a confusion matrix (rows true, columns predicted), by hand. */
function fromConfusion(m: number[][]): { accuracy: number; macroF1: number; weightedF1: number; samples: number } {
  const K = m.length;
  const n = m.flat().reduce((a, b) => a + b, 0);
  const row = m.map((r) => r.reduce((a, b) => a + b, 0));
  const col = m[0].map((_, j) => m.reduce((a, r) => a + r[j], 0));
  const f1 = m.map((r, k) => (row[k] + col[k] === 0 ? undefined : (2 * r[k]) / (row[k] + col[k])));
  // Classes neither true nor predicted in the test split have no F1 (scikit-learn's label set).
  const present = f1.filter((v): v is number => v !== undefined);
  return {
    accuracy: m.reduce((a, r, k) => a + r[k], 0) / n,
    macroF1: present.reduce((a, b) => a + b, 0) / present.length,
    weightedF1: f1.reduce((a: number, v, k) => a + (v ?? 0) * row[k], 0) / n,
    samples: n,
  };
}

const smokeRun = fs.existsSync(run1) && fs.existsSync(path.join(run1, "metrics", "00_environment.json")) && metrics("00_environment").provenance.profile === "smoke";

test("smoke metrics: seed, profile and synthetic data recorded", { skip: !smokeRun && "no smoke run1" }, () => {
  for (const nb of notebooks) {
    const m = metrics(nb);
    assert.equal(m.provenance.seed, 42, nb);
    assert.equal(m.provenance.profile, "smoke", nb);
    for (const [ds, src] of Object.entries(m.provenance.data)) assert.equal(src, "synthetic", `${nb}: ${ds}`);
  }
  const env = metrics("00_environment");
  assert.deepEqual([env.headline.seed, env.headline.profile], [42, "smoke"]);
  assert.ok((env.details.tools as { name: string; ok: boolean }[]).find((t) => t.name === "node_modules")?.ok, "node_modules not found by notebook 00");
});

test("smoke metrics: EDA and RLE counts of the seeded synthetic data", { skip: !smokeRun && "no smoke run1" }, () => {
  const eda = metrics("01_eda").headline;
  // Synthetic smoke profile, seed 42 (src/lib/data/synthetic): 48 Severstal frames, 12 NEU per class, 2 GC10 per class.
  assert.deepEqual([eda.severstal_images, eda.neu_images, eda.gc10_images], [48, 72, 20]);
  assert.ok(Number(eda.severstal_defect_free_share) > 0.2 && Number(eda.severstal_defect_free_share) < 0.8, "defect-free share out of range");
  const rle = metrics("02_rle_decoding").headline;
  assert.equal(rle.rle_rows, eda.severstal_defects, "02 decodes every defect mask 01 counted");
  assert.equal(rle.rle_round_trip_identical, 1);
  assert.equal(rle.submission_masks_identical, 20 * 4, "20 images × 4 classes written and read back identically");
});

for (const nb of ["03_simplecnn_baseline", "04_resnet50_classifier"]) {
  test(`smoke metrics: ${nb} headline numbers agree with its confusion matrix and split`, { skip: !smokeRun && "no smoke run1" }, () => {
    const m = metrics(nb);
    const d = m.details;
    assert.equal(d.dataset.images, 48);
    assert.equal(d.split.train + d.split.val + d.split.test, 48, "split covers every image once");
    assert.deepEqual(d.classNames, ["OK", "class_1", "class_2", "class_3", "class_4"]);
    assert.equal(d.history.length, nb.startsWith("03") ? 2 : 1, "smoke epochs");
    assert.ok(d.bestEpoch >= 0 && d.bestEpoch < d.history.length);
    const c = fromConfusion(d.confusion);
    assert.equal(c.samples, d.split.test);
    assert.equal(d.test.samples, d.split.test);
    near(m.headline.accuracy, c.accuracy, `${nb} accuracy`);
    near(m.headline.macro_f1, c.macroF1, `${nb} macro-F1`);
    near(d.test.weighted_f1, c.weightedF1, `${nb} weighted-F1`);
    for (const k of ["roc_auc_macro"]) assert.ok(Number(m.headline[k]) >= 0 && Number(m.headline[k]) <= 1, `${k} out of [0, 1]`);
    for (const h of d.history) assert.ok(Number.isFinite(h.loss) && h.loss > 0, `epoch ${h.epoch}: loss ${h.loss}`);
  });
}

test("smoke metrics: notebook 04 quotes notebook 03's macro-F1", { skip: !smokeRun && "no smoke run1" }, () => {
  assert.equal(metrics("04_resnet50_classifier").headline.baseline_macro_f1, metrics("03_simplecnn_baseline").headline.macro_f1);
});

test("smoke metrics: notebook 06's headline agrees with its trials table and comparison", { skip: !smokeRun && "no smoke run1" }, () => {
  const m = metrics("06_hpo");
  const trials = m.details.trials as { number: number; state: string; value: number | null }[];
  assert.deepEqual(trials.map((t) => t.number), trials.map((_, i) => i), "consecutive trial numbers");
  assert.equal(m.headline.trials, trials.length);
  assert.equal(m.headline.complete, trials.filter((t) => t.state === "COMPLETE").length);
  assert.equal(m.headline.pruned, trials.filter((t) => t.state === "PRUNED").length);
  const done = trials.filter((t) => t.state === "COMPLETE");
  assert.equal(m.headline.best_val_macro_f1, Math.max(...done.map((t) => t.value!)));
  assert.equal(trials[Number(m.headline.best_trial)].value, m.headline.best_val_macro_f1);
  const [defaults, best] = m.details.comparison as { test_macro_f1: number }[];
  assert.deepEqual([m.headline.test_macro_f1_defaults, m.headline.test_macro_f1_best], [defaults.test_macro_f1, best.test_macro_f1]);
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
