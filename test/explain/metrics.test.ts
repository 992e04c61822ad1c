/**
 * Faithfulness and localisation metrics against hand-computed values on images small enough to
 * work out on paper, with a score function whose answer is known (the mean of a region's pixels).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { deletionInsertion, randomDeletionInsertion } from "../../src/lib/explain/metrics/deletion-insertion";
import { noisyLinearImpute, roadScores, roadRandom } from "../../src/lib/explain/metrics/road";
import { boxesMask, camPeak, localise, summariseLocalisation } from "../../src/lib/explain/metrics/localisation";
import { ModelImage, ScoreFn } from "../../src/lib/explain/metrics/removal";

// 4×4 grey image, a 2×2 "defect" of ones at the top left, zeros elsewhere.
const REGION = [0, 1, 4, 5];
const img: ModelImage = { data: Float32Array.from({ length: 16 }, (_, i) => (REGION.includes(i) ? 1 : 0)), height: 4, width: 4, channels: 1 };
const regionMean: ScoreFn = async (x) => {
  const d = await x.data();
  const n = x.shape[0];
  return Array.from({ length: n }, (_, b) => REGION.reduce((s, p) => s + d[b * 16 + p], 0) / REGION.length);
};
const oracleCam = Array.from({ length: 16 }, (_, i) => (REGION.includes(i) ? 1 - i / 100 : 0));

describe("deletion / insertion", () => {
  test("hand-computed curves and AUCs for a map that ranks the region first", async () => {
    await tf.setBackend("cpu");
    const before = tf.memory().numTensors;
    const r = await deletionInsertion(img, oracleCam, regionMean, { steps: 4 });
    // Deletion: the region (4 of 16 pixels) goes in step 1, replaced by the image mean 0.25.
    assert.deepEqual(r.deletion.fractions, [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(r.deletion.scores, [1, 0.25, 0.25, 0.25, 0.25]);
    assert.ok(Math.abs(r.deletion.auc - (0.25 * 1.25) / 2 - 0.75 * 0.25) < 1e-9);
    // Insertion starts from the blur (a 4×4 image downsampled to 1×1 = its mean 0.25).
    assert.deepEqual(r.insertion.scores, [0.25, 1, 1, 1, 1]);
    assert.ok(Math.abs(r.insertion.auc - ((0.25 * 1.25) / 2 + 0.75)) < 1e-9);
    const rnd = await randomDeletionInsertion(img, regionMean, { steps: 4, randomRepeats: 5, seed: 1 });
    assert.ok(rnd.deletion.auc > r.deletion.auc && rnd.insertion.auc < r.insertion.auc);
    const again = await randomDeletionInsertion(img, regionMean, { steps: 4, randomRepeats: 5, seed: 1 });
    assert.deepEqual(again, rnd, "seeded: the same numbers");
    assert.equal(tf.memory().numTensors, before);
  });
});

describe("ROAD", () => {
  test("noisy linear imputation with noise 0 reproduces a linear ramp (the linear system's exact solution)", () => {
    const H = 8, W = 8;
    const ramp: ModelImage = { data: Float32Array.from({ length: H * W }, (_, i) => 0.1 * Math.floor(i / W) + 0.05 * (i % W)), height: H, width: W, channels: 1 };
    const removed = [9, 10, 11, 18, 19, 27, 36, 37, 45, 54];
    const out = noisyLinearImpute(ramp, removed, { noise: 0, sweeps: 400 });
    for (const p of removed) assert.ok(Math.abs(out[p] - ramp.data[p]) < 1e-4, `pixel ${p}: ${out[p]} vs ${ramp.data[p]}`);
    const noisy = noisyLinearImpute(ramp, removed, { noise: 0.5, sweeps: 400, seed: 3 });
    assert.deepEqual(noisy, noisyLinearImpute(ramp, removed, { noise: 0.5, sweeps: 400, seed: 3 }));
    assert.ok(removed.some((p) => Math.abs(noisy[p] - out[p]) > 0.01));
    for (let p = 0; p < H * W; p++) if (!removed.includes(p)) assert.equal(noisy[p], ramp.data[p]);
  });

  test("MoRF falls and LeRF keeps the score for a map ranking the region first", async () => {
    await tf.setBackend("cpu");
    const r = await roadScores(img, oracleCam, regionMean, { percentages: [0.25], noise: 0 });
    // Removing the 4 most relevant pixels = the region, imputed from zero neighbours → 0.
    assert.ok(Math.abs(r.morf[0]) < 1e-6);
    // Removing the 4 least relevant (bottom-right, far from the region) leaves the region intact.
    assert.equal(r.lerf[0], 1);
    assert.equal(r.gap, 1);
    const rnd = await roadRandom(img, regionMean, { percentages: [0.25], noise: 0, seed: 2 });
    assert.ok(rnd.random[0] > r.morf[0]);
  });
});

describe("localisation", () => {
  test("VOC boxes (1-based, inclusive) to a mask, rescaled", () => {
    const m = boxesMask([{ className: "x", xmin: 1, ymin: 1, xmax: 2, ymax: 2 }], { height: 4, width: 4 }, { height: 4, width: 4 });
    assert.deepEqual(Array.from(m), Array.from({ length: 16 }, (_, i) => (REGION.includes(i) ? 1 : 0)));
    const half = boxesMask([{ className: "x", xmin: 1, ymin: 1, xmax: 4, ymax: 2 }], { height: 4, width: 4 }, { height: 2, width: 2 });
    assert.deepEqual(Array.from(half), [1, 1, 0, 0]);
  });

  test("pointing game, energy share and chance by hand", () => {
    const region = boxesMask([{ className: "x", xmin: 1, ymin: 1, xmax: 2, ymax: 2 }], { height: 4, width: 4 }, { height: 4, width: 4 });
    const cam = new Array(16).fill(0.1);
    cam[5] = 0.9;
    const r = localise(cam, region, "scratches");
    assert.equal(camPeak(cam), 5);
    assert.equal(r.hit, true);
    assert.ok(Math.abs(r.energy - (0.9 + 0.3) / (0.9 + 1.5)) < 1e-12);
    assert.equal(r.areaShare, 0.25);
    cam[5] = 0.1;
    cam[15] = 0.9;
    const miss = localise(cam, region, "inclusion");
    assert.equal(miss.hit, false);
    const s = summariseLocalisation([r, miss]);
    assert.equal(s.all.pointingHitRate, 0.5);
    assert.equal(s.scratches.pointingHitRate, 1);
    assert.equal(s.inclusion.images, 1);
    assert.equal(s.all.chance, 0.25);
  });
});
