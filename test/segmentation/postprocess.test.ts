import { test } from "node:test";
import assert from "node:assert/strict";
import { connectedComponents, removeSmallComponents } from "../../src/lib/segmentation/components";
import { postprocessMasks, resolvePostprocess } from "../../src/lib/segmentation/postprocess";
import { postprocessEffects, scorePostprocess, searchPostprocess, type ValidationPrediction } from "../../src/lib/segmentation/postprocess-search";
import { silentProgress } from "../../src/lib/util/progress";

// 5×6 hand-made mask:
//   1 1 0 0 0 0
//   1 0 0 0 0 1
//   0 0 1 0 0 1
//   0 0 0 1 0 0
//   0 0 0 0 0 0
// 4-connectivity: {(0,0),(0,1),(1,0)} 3 px, {(2,2)} 1, {(3,3)} 1, {(1,5),(2,5)} 2  → 4 components
// 8-connectivity: the diagonal joins (2,2)-(3,3), and (1,0)-(2,2)? no: (1,0) and (2,2) are 2 apart.
//                 {(0,0),(0,1),(1,0)} 3, {(2,2),(3,3)} 2, {(1,5),(2,5)} 2              → 3 components
const H = 5;
const W = 6;
const M = Uint8Array.from([1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);

test("connected components with 4- vs 8-connectivity on a hand-made mask", () => {
  const c4 = connectedComponents(M, H, W, 4);
  assert.equal(c4.count, 4);
  assert.deepEqual([...c4.sizes.slice(1)].sort(), [1, 1, 2, 3]);
  const c8 = connectedComponents(M, H, W, 8);
  assert.equal(c8.count, 3);
  assert.deepEqual([...c8.sizes.slice(1)].sort(), [2, 2, 3]);
  assert.equal(c8.labels[2 * W + 2], c8.labels[3 * W + 3], "diagonal neighbours join with 8-connectivity");
  assert.notEqual(c4.labels[2 * W + 2], c4.labels[3 * W + 3]);
});

test("minimum component size: size-2 components survive 8-connectivity but single pixels of 4-connectivity do not", () => {
  const keep = (m: Uint8Array) => Array.from(m).flatMap((v, i) => (v ? [i] : []));
  // minSize 2, 4-conn: drops (2,2) and (3,3).
  assert.deepEqual(keep(removeSmallComponents(M, H, W, 2, 4)), [0, 1, 6, 11, 17]);
  // minSize 2, 8-conn: the diagonal pair has 2 pixels, everything stays.
  assert.deepEqual(keep(removeSmallComponents(M, H, W, 2, 8)), keep(M));
  // minSize 3: only the L-shaped 3-pixel component.
  assert.deepEqual(keep(removeSmallComponents(M, H, W, 3, 8)), [0, 1, 6]);
  assert.throws(() => connectedComponents(M, H, W, 6 as 4), /connectivity must be 4 or 8/);
});

/** [H·W·C] probabilities with class c set from a per-pixel list (other classes 0). */
function probs(c: number, C: number, values: number[]): Float32Array {
  const out = new Float32Array(values.length * C);
  values.forEach((v, i) => (out[i * C + c] = v));
  return out;
}

test("post-processing per class: threshold, min component, min area, gating — each a switch", () => {
  const C = 2;
  // Class 0 probabilities over the 5×6 grid: 0.9 on M's 7 pixels, plus an isolated 0.55 pixel at (4,5).
  const p0: number[] = Array.from(M, (v) => (v ? 0.9 : 0.1));
  p0[4 * W + 5] = 0.55;
  const prob = probs(0, C, p0);
  const ch0 = (m: Uint8Array) => Array.from({ length: H * W }, (_, i) => m[i * C]);
  const area = (m: Uint8Array) => ch0(m).reduce((a, b) => a + b, 0);
  assert.equal(area(postprocessMasks(prob, H, W, resolvePostprocess(C))), 8, "default threshold 0.5: 7 + the 0.55 pixel");
  assert.equal(area(postprocessMasks(prob, H, W, resolvePostprocess(C, { threshold: 0.6 }))), 7);
  assert.equal(area(postprocessMasks(prob, H, W, resolvePostprocess(C, { minComponentSize: 2, connectivity: 4 }))), 5);
  assert.equal(area(postprocessMasks(prob, H, W, resolvePostprocess(C, { minArea: 9 }))), 0, "below the minimum total area → empty");
  assert.equal(area(postprocessMasks(prob, H, W, resolvePostprocess(C, { minArea: 8 }))), 8);
  const gated = resolvePostprocess(C, [{ gate: 0.5 }, {}]);
  assert.equal(area(postprocessMasks(prob, H, W, gated, [0.4, 1])), 0, "classifier says absent → empty");
  assert.equal(area(postprocessMasks(prob, H, W, gated, [0.5, 0])), 8, "p ≥ gate keeps the mask");
  assert.throws(() => postprocessMasks(prob, H, W, gated), /gating is on .* no presence probability/);
  assert.throws(() => resolvePostprocess(C, { threshold: 1.5 }), /class 0: threshold 1.5/);
  assert.throws(() => resolvePostprocess(C, [{}]), /1 per-class settings for 2 classes/);
});

test("search picks per-class threshold and min area that maximise the Kaggle score; effects table", () => {
  // 1×4 images, 1 class. Image 0: truth {0,1}, probs [0.8, 0.45, 0.3, 0.1]
  //                      image 1: truth {},    probs [0.6, 0.1, 0.1, 0.1] (a false blob)
  // threshold 0.5, minArea 0: img0 pred {0} Dice 2/3, img1 pred {0} Dice 0     → 1/3
  // threshold 0.4, minArea 2: img0 pred {0,1} Dice 1, img1 area 1 < 2 → empty 1 → 1
  const items: ValidationPrediction[] = [
    { imageId: "a", prob: Float32Array.of(0.8, 0.45, 0.3, 0.1), truth: Uint8Array.of(1, 1, 0, 0) },
    { imageId: "b", prob: Float32Array.of(0.6, 0.1, 0.1, 0.1), truth: Uint8Array.of(0, 0, 0, 0) },
  ];
  const base = resolvePostprocess(1);
  const r = searchPostprocess(items, 1, 4, base, { thresholds: [0.5, 0.4, 0.2], minAreas: [0, 1, 2, 3] }, { progress: silentProgress });
  assert.equal(r.perClass[0].threshold, 0.4);
  assert.equal(r.perClass[0].minArea, 2);
  assert.ok(Math.abs(r.perClass[0].dice - 1) < 1e-12);
  assert.ok(Math.abs(r.perClass[0].baseDice - 1 / 3) < 1e-12);
  assert.ok(Math.abs(scorePostprocess(items, 1, 4, r.settings).kaggle - r.kaggle) < 1e-12, "search score = direct score");

  // Effects: the full setting (0.4, minArea 2) against the same with minArea off.
  // minArea off at 0.4: img0 Dice 1, img1 Dice 0 → 0.5. TTA probabilities push img0's pixel 2 over.
  items[0].probTta = Float32Array.of(0.8, 0.45, 0.45, 0.1); // pred {0,1,2}: Dice 2·2/(3+2) = 0.8
  items[1].probTta = items[1].prob;
  const e = postprocessEffects(items, 1, 4, r.settings, true);
  const row = (s: string) => e.rows.find((x) => x.switch === s)!;
  assert.ok(Math.abs(e.full - (0.8 + 1) / 2) < 1e-12);
  assert.ok(Math.abs(row("minArea").off - (0.8 + 0) / 2) < 1e-12);
  assert.ok(Math.abs(row("tta").off - 1) < 1e-12);
  assert.ok(Math.abs(row("tta").delta - (0.9 - 1)) < 1e-12, "TTA hurts here");
  assert.ok(Math.abs(e.thresholdOnly - 0.5) < 1e-12);
  assert.equal(e.rows.some((x) => x.switch === "gating"), false, "switches that are off get no row");
});

test("search: ties go to the larger min area; a whole-frame min area turns a class off; a gate is kept only where it helps", () => {
  // 1×4 frames, 1 class. Image a: truth {0,1}, probs high there; image b: empty, a 1-pixel false blob.
  const items: ValidationPrediction[] = [
    { imageId: "a", prob: Float32Array.of(0.9, 0.9, 0.1, 0.1), truth: Uint8Array.of(1, 1, 0, 0), presence: [0.9] },
    { imageId: "b", prob: Float32Array.of(0.9, 0.1, 0.1, 0.1), truth: Uint8Array.of(0, 0, 0, 0), presence: [0.2] },
  ];
  const base = resolvePostprocess(1);
  // minArea 2 and 0 at 0.5: a Dice 1, b → 1 with minArea 2 (area 1 < 2), 0 without. minArea 2 = best = 1.
  // minArea 0 with the gate 0.5: a kept (0.9), b gated (0.2) → also 1, but gates come after the grid.
  const r = searchPostprocess(items, 1, 4, base, { thresholds: [0.5], minAreas: [0, 2] }, { progress: silentProgress });
  assert.equal(r.perClass[0].minArea, 2);
  // Both 1 and 2 give score 1 (b's blob is 1 px): the tie goes to the larger, 2.
  assert.equal(searchPostprocess(items, 1, 4, base, { thresholds: [0.5], minAreas: [2, 1, 0] }, { progress: silentProgress }).perClass[0].minArea, 2);

  // A model that only ever predicts false blobs: a min area above the whole frame (> 4 px) = class off wins.
  const bad: ValidationPrediction[] = [
    { imageId: "a", prob: Float32Array.of(0.9, 0.9, 0.9, 0.1), truth: Uint8Array.of(0, 0, 0, 0), presence: [0.3] },
    { imageId: "b", prob: Float32Array.of(0.9, 0.9, 0.9, 0.9), truth: Uint8Array.of(0, 0, 0, 0), presence: [0.6] },
  ];
  const off = searchPostprocess(bad, 1, 4, base, { thresholds: [0.5], minAreas: [0, 5] }, { progress: silentProgress });
  assert.equal(off.perClass[0].minArea, 5);
  assert.ok(Math.abs(off.kaggle - 1) < 1e-12);
  // b's mask has 4 px = the min area, so it stays (Dice 0): 4 is not enough; 5 turns it off.
  assert.ok(Math.abs(searchPostprocess(bad, 1, 4, base, { thresholds: [0.5], minAreas: [4] }, { progress: silentProgress }).kaggle - 0.5) < 1e-12);

  // Gates: at minArea 0, gate 0.5 empties b (presence 0.2 < 0.5) and keeps a → 1 from 0.5.
  const g = searchPostprocess(items, 1, 4, base, { thresholds: [0.5], minAreas: [0], gates: [0.1, 0.5, 0.95] }, { progress: silentProgress });
  assert.equal(g.perClass[0].gate, 0.5);
  assert.ok(Math.abs(g.perClass[0].ungatedDice! - 0.5) < 1e-12);
  assert.ok(Math.abs(g.perClass[0].dice - 1) < 1e-12);
  assert.equal(g.settings[0].gate, 0.5);
  const e = postprocessEffects(items, 1, 4, g.settings);
  assert.ok(Math.abs(e.rows.find((x) => x.switch === "gating")!.delta - 0.5) < 1e-12, "gating's row: +0.5");
  // Where the min area already removes b's blob, no gate helps: none is kept.
  const none = searchPostprocess(items, 1, 4, base, { thresholds: [0.5], minAreas: [2], gates: [0.1, 0.5] }, { progress: silentProgress });
  assert.equal(none.perClass[0].gate, undefined);
  assert.equal(none.settings[0].gate, undefined);
  assert.throws(() => searchPostprocess([{ ...items[0], presence: undefined }], 1, 4, base, { thresholds: [0.5], minAreas: [0], gates: [0.5] }, { progress: silentProgress }), /no classifier presence/);
});
