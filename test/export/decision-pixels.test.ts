/** The page's decision rule (hand-computed cases) and its pixel path (against Node's readImage). */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { parse } from "csv-parse/sync";
import { decide, predictionsCsvText } from "../../src/lib/export/decision";
import { toModelInput } from "../../src/lib/export/pixels";
import { readImage } from "../../src/lib/data/image-io";
import { predictionsCsv } from "../../src/lib/experiments/inference";
import type { ExportMetadata } from "../../src/lib/export/metadata";

const base: Pick<ExportMetadata, "mode" | "classNames" | "operatingPoint" | "reviewMargin"> = {
  mode: "single",
  classNames: ["crazing", "inclusion", "patches"],
  reviewMargin: 0.2,
  operatingPoint: { critical: "crazing", criticalClass: 0, targetRecall: 1, method: "prior", factor: 2, reached: true, valRecallBefore: 0.8, valRecallAfter: 1, testRecallBefore: 0.8, testRecallAfter: 1 },
};

test("safety-first: crazing flagged when factor · p ≥ the others, and the flag says so", () => {
  // 2 × 0.30 = 0.60 ≥ 0.55 → flagged, although inclusion is the argmax.
  const d = decide([0.3, 0.55, 0.15], base);
  assert.equal(d.label, "crazing");
  assert.equal(d.argmaxLabel, "inclusion");
  assert.equal(d.flagged, true);
  assert.equal(d.needsReview, true);
  assert.match(d.reason, /crazing flagged at the safety-first operating point: 2\.000 × 0\.300 ≥ 0\.550 \(most likely: inclusion\)/);
  // 2 × 0.2 = 0.4 < 0.7 → argmax, margin 0.7 − 0.2 = 0.5 (no review).
  const e = decide([0.2, 0.7, 0.1], base);
  assert.deepEqual([e.label, e.flagged, e.needsReview], ["inclusion", false, false]);
  assert.ok(Math.abs(e.margin - 0.5) < 1e-12);
  // Low margin (0.1 < 0.2) → needs review; no operating point → plain argmax.
  const f = decide([0.1, 0.45, 0.35], { ...base, operatingPoint: null });
  assert.deepEqual([f.label, f.flagged, f.needsReview], ["inclusion", false, true]);
});

test("multi-label: classes with p ≥ 0.5, review near 0.5", () => {
  const m = { ...base, mode: "multi" as const, operatingPoint: null };
  assert.equal(decide([0.9, 0.1, 0.6], m).label, "crazing+patches");
  assert.equal(decide([0.1, 0.1, 0.1], m).label, "none");
  assert.equal(decide([0.9, 0.1, 0.55], m).needsReview, true); // |0.55 − 0.5| · 2 = 0.1 < 0.2
});

test("the page's CSV is byte-identical to predict's (csv-stringify), quoting included", () => {
  const rows = [
    { file: "a.jpg", probs: [0.1, 0.2, 0.7], predicted: "patches" },
    { file: 'we"ird, name.png', probs: [], predicted: "", error: "cannot decode, really" },
  ];
  assert.equal(predictionsCsvText(rows, base.classNames), predictionsCsv(rows, base.classNames));
  assert.equal((parse(predictionsCsvText(rows, base.classNames), { columns: true }) as unknown[]).length, 2);
});

test("toModelInput on decoded RGBA equals readImage (grey and colour files, 1 and 3 channels, resized)", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pixels-"));
  const H = 70;
  const W = 110;
  const grey = Buffer.from(Array.from({ length: H * W }, (_, i) => (i * 7) % 256));
  const rgb = Buffer.from(Array.from({ length: H * W * 3 }, (_, i) => (i * 13 + (i % 3) * 50) % 256));
  const files = {
    grey: await sharp(grey, { raw: { width: W, height: H, channels: 1 } }).png().toBuffer(),
    rgb: await sharp(rgb, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer(),
  };
  for (const [name, bytes] of Object.entries(files)) {
    const file = path.join(dir, `${name}.png`);
    fs.writeFileSync(file, bytes);
    // What a canvas gives: RGBA of the full-size image.
    const rgba = new Uint8Array(await sharp(bytes).ensureAlpha().raw().toBuffer());
    for (const channels of [1, 3] as const) {
      for (const [h, w] of [[32, 48], [70, 110]]) {
        const mine = toModelInput(rgba, H, W, { height: h, width: w, channels });
        const ref = await readImage(file, { channels, height: h, width: w });
        assert.deepEqual([mine.height, mine.width, mine.channels], [ref.height, ref.width, ref.channels]);
        assert.deepEqual(Array.from(mine.data), Array.from(ref.data), `${name} → ${h}x${w}x${channels}`);
      }
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
