import { test } from "node:test";
import assert from "node:assert/strict";
import { imageCounts } from "../../src/lib/metrics/segmentation";
import { MaskCountCache, type ValidationPrediction } from "../../src/lib/segmentation/mask-counts";
import { postprocessMasks, resolvePostprocess, type ClassPostprocess } from "../../src/lib/segmentation/postprocess";
import { scorePostprocess, searchPostprocess } from "../../src/lib/segmentation/postprocess-search";
import { silentProgress } from "../../src/lib/util/progress";
import { createRng } from "../../src/lib/util/rng";

const H = 12;
const W = 20;
const C = 3;

/** Blobby random maps: a few bright rectangles on noise, truth = a rectangle per class on some images. */
function makeItems(n: number): ValidationPrediction[] {
  const rng = createRng(5, "mask-counts-test");
  return Array.from({ length: n }, (_, k) => {
    const prob = new Float32Array(H * W * C);
    const probTta = new Float32Array(H * W * C);
    const truth = new Uint8Array(H * W * C);
    for (let i = 0; i < prob.length; i++) {
      prob[i] = rng.next() * 0.6;
      probTta[i] = rng.next() * 0.6;
    }
    for (let c = 0; c < C; c++) {
      const y0 = Math.floor(rng.next() * 8);
      const x0 = Math.floor(rng.next() * 14);
      for (let y = y0; y < y0 + 4; y++) for (let x = x0; x < x0 + 6; x++) {
        const j = (y * W + x) * C + c;
        prob[j] = 0.5 + rng.next() * 0.5;
        probTta[j] = 0.45 + rng.next() * 0.5;
        if ((k + c) % 2 === 0) truth[j] = 1;
      }
    }
    return { imageId: `img${k}`, prob, probTta, truth, presence: [0.2, 0.6, 0.9].map((p) => (p + k * 0.13) % 1) };
  });
}

test("cached pair counts equal counting the post-processed masks pixel by pixel (components, min area, gate, TTA)", () => {
  const items = makeItems(6);
  const cache = new MaskCountCache(items, H, W, C);
  const settingsList: ClassPostprocess[][] = [
    resolvePostprocess(C),
    resolvePostprocess(C, { threshold: 0.4, minComponentSize: 5, connectivity: 4, minArea: 30 }),
    resolvePostprocess(C, [{ threshold: 0.3, minComponentSize: 3, gate: 0.5 }, { threshold: 0.7, minArea: 200 }, { threshold: 0.5, minComponentSize: 2, connectivity: 8, gate: 0.1 }]),
  ];
  for (const settings of settingsList) {
    for (const tta of [false, true]) {
      items.forEach((it, n) => {
        const direct = imageCounts(postprocessMasks(tta ? it.probTta! : it.prob, H, W, settings, it.presence), it.truth, C, n);
        assert.deepEqual(settings.map((p, c) => cache.pair(n, c, p, tta)), direct, `image ${n}, tta ${tta}, settings ${JSON.stringify(settings)}`);
      });
    }
  }
});

test("a search sharing a cache scores the same as one without, and the cache refuses other items", () => {
  const items = makeItems(5);
  const base = resolvePostprocess(C, { minComponentSize: 4 });
  const grid = { thresholds: [0.3, 0.5, 0.7], minAreas: [0, 10, 40, H * W + 1], gates: [0.3, 0.7] };
  const cache = new MaskCountCache(items, H, W, C);
  const shared = searchPostprocess(items, H, W, base, grid, { progress: silentProgress, cache });
  const fresh = searchPostprocess(items, H, W, base, grid, { progress: silentProgress });
  assert.deepEqual(shared, fresh);
  const direct = items.map((it, n) => imageCounts(postprocessMasks(it.prob, H, W, shared.settings, it.presence), it.truth, C, n));
  const perClass = [0, 1, 2].map((c) => direct.reduce((a, row) => a + (row[c].tp + row[c].fp + row[c].fn === 0 ? 1 : (2 * row[c].tp) / (2 * row[c].tp + row[c].fp + row[c].fn)), 0) / items.length);
  assert.ok(Math.abs(scorePostprocess(items, H, W, shared.settings, false, cache).kaggle - perClass.reduce((a, b) => a + b, 0) / C) < 1e-12);
  assert.throws(() => scorePostprocess(items.slice(1), H, W, shared.settings, false, cache), /count cache holds 5 images/);
});
