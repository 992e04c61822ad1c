/**
 * resizeProbabilities (maps predicted on a downscaled frame back to full size) against tfjs's
 * resizeBilinear with half-pixel centres on the cpu backend, an independent implementation; and
 * the scaled frame size.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { resizeProbabilities, scaledSize } from "../../src/lib/segmentation/upsample";

test("resizeProbabilities equals tf.image.resizeBilinear (half-pixel centres) for ×2, ×1.5 and a downscale", async () => {
  await tf.setBackend("cpu");
  let s = 7;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const [h, w, K, H, W] of [[4, 25, 4, 8, 50], [6, 10, 2, 9, 15], [8, 8, 1, 5, 3]]) {
    const prob = Float32Array.from({ length: h * w * K }, rand);
    const want = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(prob, [h, w, K]), [H, W], false, true).dataSync());
    const got = resizeProbabilities(prob, h, w, K, H, W);
    assert.equal(got.length, H * W * K);
    for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-5, `${h}×${w}→${H}×${W} at ${i}: ${got[i]} vs ${want[i]}`);
  }
  const same = Float32Array.of(0.1, 0.2);
  assert.equal(resizeProbabilities(same, 1, 2, 1, 1, 2), same, "same size: no copy");
  assert.throws(() => resizeProbabilities(same, 2, 2, 1, 4, 4), /2 values, expected 2×2×1/);
});

test("scaledSize halves a Severstal frame and rejects scales outside (0, 1]", () => {
  assert.deepEqual(scaledSize(256, 1600, 0.5), { height: 128, width: 800 });
  assert.deepEqual(scaledSize(256, 1600), { height: 256, width: 1600 });
  assert.throws(() => scaledSize(256, 1600, 2), /inputScale must be in \(0, 1\]/);
});
