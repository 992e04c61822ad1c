import { test } from "node:test";
import assert from "node:assert/strict";
import { intensityHistogram, matchHistogram, textureStats } from "../../src/lib/cross-dataset";

const img = (values: number[], width = values.length) => ({ data: Float32Array.from(values), height: values.length / width, width, channels: 1 });

test("histogram matching maps a dark image onto a bright reference's levels", () => {
  const ref = new Array<number>(4).fill(0);
  ref[3] = 1; // reference: everything in the top bin
  const out = matchHistogram(img([0.1, 0.2, 0.05, 0.15]), ref);
  assert.deepEqual([...out.data], [0.875, 0.875, 0.875, 0.875]);
  const twoLevel = [1, 0, 0, 1]; // half in bin 0, half in bin 3
  const m = matchHistogram(img([0.1, 0.1, 0.9, 0.9]), twoLevel);
  assert.deepEqual([...m.data], [0.125, 0.125, 0.875, 0.875]);
  assert.deepEqual(intensityHistogram(m, 4), [2, 0, 0, 2]);
});

test("texture stats, hand values on a 2×2 checkerboard of 0 and 1", () => {
  const t = textureStats(img([0, 1, 1, 0], 2));
  assert.equal(t.mean, 0.5);
  assert.equal(t.std, 0.5);
  assert.ok(Math.abs(t.gradient - Math.SQRT2) < 1e-12); // one position (0,0): |(1, 1)|
  assert.equal(t.glcmContrast, 225); // every horizontal pair is (0, 15): (15)² 
  assert.equal(t.glcmHomogeneity, 1 / 16);
});
