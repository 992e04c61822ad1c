/** The NEU augmentation preset and its new transforms: shapes, value range, labels, seeding, hand values. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyGainGamma, gainGamma } from "../../src/lib/data/augment/gain-gamma";
import { randomScaleCrop, resampleWindow } from "../../src/lib/data/augment/resized-crop";
import { augmentation } from "../../src/lib/runner/tasks/classification";
import { createRng } from "../../src/lib/util/rng";
import type { ImageData32 } from "../../src/lib/data/types";
import type { Transform } from "../../src/lib/data/augment/types";

function ramp(h: number, w: number, c = 1): ImageData32 {
  const data = new Float32Array(h * w * c);
  for (let i = 0; i < data.length; i++) data[i] = (i % 97) / 96;
  return { data, height: h, width: w, channels: c };
}

test("gain/gamma: out = clip(gain · x^γ), hand values", () => {
  const img: ImageData32 = { data: Float32Array.from([0, 0.25, 0.5, 1]), height: 2, width: 2, channels: 1 };
  const out = applyGainGamma(img, 1.2, 2);
  const want = [0, 1.2 * 0.0625, 1.2 * 0.25, 1]; // 1.2·1 clipped to 1
  out.data.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6, `${i}: ${v} vs ${want[i]}`));
  assert.deepEqual(Array.from(img.data), [0, 0.25, 0.5, 1], "input untouched");
});

test("scale crop: the full window is the identity, a half window is a 2× zoom of its corner", () => {
  const img = ramp(8, 8);
  assert.deepEqual(Array.from(resampleWindow(img, { top: 0, left: 0, height: 8, width: 8 }, 8, 8).data), Array.from(img.data));
  // 4×4 window → 8×8: output (2i+1, 2j+1)'s source is (i + 0.25·... ) — check one pixel by hand:
  // out(1,1) samples y = x = (1 + 0.5)·0.5 − 0.5 = 0.25 → bilinear of the 2×2 top-left block.
  const z = resampleWindow(img, { top: 0, left: 0, height: 4, width: 4 }, 8, 8);
  const v = (r: number, c: number) => img.data[r * 8 + c];
  const want = 0.75 * (0.75 * v(0, 0) + 0.25 * v(0, 1)) + 0.25 * (0.75 * v(1, 0) + 0.25 * v(1, 1));
  assert.ok(Math.abs(z.data[1 * 8 + 1] - want) < 1e-6);
  const t = randomScaleCrop({ minScale: 0.6 });
  const a = t.apply({ image: img }, createRng(3, "x")).image;
  assert.equal(a.height, 8);
  assert.equal(a.width, 8);
});

for (const preset of ["neu", "neu-capture"] as const) {
  test(`augment preset ${preset}: keeps shape and [0, 1], is seeded, changes pixels`, () => {
    const maybe = augmentation(preset);
    assert.ok(maybe);
    const t: Transform = maybe;
    const img = ramp(32, 32);
    let changed = 0;
    for (let s = 0; s < 20; s++) {
      const a: ImageData32 = t.apply({ image: img }, createRng(s, "aug")).image;
      const b: ImageData32 = t.apply({ image: img }, createRng(s, "aug")).image;
      assert.deepEqual(a.data, b.data, "same seed, same pixels");
      assert.equal(a.height, 32);
      assert.equal(a.width, 32);
      assert.equal(a.channels, 1);
      assert.ok(a.data.every((v) => v >= 0 && v <= 1), "values stay in [0, 1]");
      if (a.data.some((v, i) => v !== img.data[i])) changed++;
    }
    assert.ok(changed >= 15, `only ${changed}/20 draws changed the image`);
  });
}

test("gainGamma draws within its ranges (mean brightness bounded by the extremes)", () => {
  const img = ramp(16, 16);
  const mean = (d: Float32Array) => d.reduce((a, b) => a + b, 0) / d.length;
  const lo = mean(applyGainGamma(img, 0.8, 1.3).data);
  const hi = mean(applyGainGamma(img, 1.2, 1 / 1.3).data);
  const t = gainGamma({ gain: 0.2, gamma: 1.3 });
  for (let s = 0; s < 30; s++) {
    const m = mean(t.apply({ image: img }, createRng(s, "g")).image.data);
    assert.ok(m >= lo - 1e-6 && m <= hi + 1e-6, `${m} outside [${lo}, ${hi}]`);
  }
});
