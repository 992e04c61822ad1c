import { test } from "node:test";
import assert from "node:assert/strict";
import {
  classWeights,
  createBalancedSampler,
  createWeightedSampler,
  inverseFrequencyWeights,
} from "../../src/lib/data/sampler";

/** Labels with counts [600, 250, 100, 40, 10]. */
const labels: number[] = [600, 250, 100, 40, 10].flatMap((n, c) => new Array<number>(n).fill(c));

test("inverse-frequency sampler draws every class about equally often", () => {
  const sampler = createBalancedSampler(labels, { seed: 1, numSamples: 20000 });
  const counts = new Array<number>(5).fill(0);
  for (const i of sampler.indices(0)) counts[labels[i]]++;
  // Each class ~ Binomial(20000, 0.2): sd ≈ 57; allow ±5 sd.
  for (const c of counts) assert.ok(Math.abs(c - 4000) < 285, `counts ${counts}`);
  // The raw data is 60 % class 0; without weights the sampler follows it.
  const plain = createWeightedSampler({ weights: labels.map(() => 1), numSamples: 20000, seed: 1 });
  const p0 = plain.indices(0).filter((i) => labels[i] === 0).length / 20000;
  assert.ok(Math.abs(p0 - 0.6) < 0.02, `p0 ${p0}`);
});

test("custom weights: draw frequencies are proportional to weights; zero weight is never drawn", () => {
  const w = [1, 0, 3, 6];
  const s = createWeightedSampler({ weights: w, numSamples: 30000, seed: 9 });
  const counts = [0, 0, 0, 0];
  for (const i of s.indices(2)) counts[i]++;
  assert.equal(counts[1], 0);
  [0.1, 0, 0.3, 0.6].forEach((p, i) => assert.ok(Math.abs(counts[i] / 30000 - p) < 0.015, `item ${i}: ${counts[i]}`));
});

test("sampler: seeded per epoch, different across epochs; without replacement draws distinct items", () => {
  const a = createWeightedSampler({ weights: inverseFrequencyWeights(labels), seed: 3 });
  const b = createWeightedSampler({ weights: inverseFrequencyWeights(labels), seed: 3 });
  assert.equal(a.numSamples, labels.length);
  assert.deepEqual(b.indices(5), a.indices(5));
  // `labels` alone means inverse-class-frequency weights.
  assert.deepEqual(createWeightedSampler({ labels, seed: 3 }).indices(5), a.indices(5));
  assert.throws(() => createWeightedSampler({ seed: 3 }), /give per-item weights/);
  assert.notDeepEqual(a.indices(6), a.indices(5));
  const nr = createWeightedSampler({ weights: [1, 1, 1, 1, 1, 0], numSamples: 5, replacement: false, seed: 1 });
  assert.deepEqual([...nr.indices(0)].sort(), [0, 1, 2, 3, 4]);
  assert.throws(() => createWeightedSampler({ weights: [1, 0], numSamples: 2, replacement: false, seed: 1 }), /without replacement/);
  assert.throws(() => createWeightedSampler({ weights: [0, 0], seed: 1 }), /all weights are 0/);
  assert.throws(() => createWeightedSampler({ weights: [1, -1], seed: 1 }), /weight 1 is -1/);
});

test("classWeights match hand-computed values", () => {
  // counts [3, 1, 0, 2], n = 6, C = 4
  const y = [0, 0, 0, 1, 3, 3];
  const close = (a: number[], b: number[]) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-12, `${a} vs ${b}`));
  // balanced: 6 / (4 * count) = [0.5, 1.5, 0, 0.75]
  close(classWeights(y, 4, "balanced"), [0.5, 1.5, 0, 0.75]);
  // inverse: [1/3, 1, 1/2] over the 3 present classes sum 11/6 → ×3/(11/6) = 18/11
  close(classWeights(y, 4, "inverse"), [6 / 11, 18 / 11, 0, 9 / 11]);
  // sqrt-inverse: [1/√3, 1, 1/√2], scaled to average 1 over present classes
  const r = [1 / Math.sqrt(3), 1, 1 / Math.sqrt(2)];
  const s = r[0] + r[1] + r[2];
  close(classWeights(y, 4, "sqrt-inverse"), [(3 * r[0]) / s, (3 * r[1]) / s, 0, (3 * r[2]) / s]);
  // Multi-hot rows count positives per class: counts [2, 1, 1], n = 3 → balanced 3 / (3 * count).
  close(classWeights([[1, 0, 1], [1, 1, 0], [0, 0, 0]], 3, "balanced"), [0.5, 1, 1]);
  assert.throws(() => classWeights([0, 5], 4), /label 1 is 5/);
});
