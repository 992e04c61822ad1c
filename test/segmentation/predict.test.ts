import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createModel } from "../../src/lib/models/registry";
import { predictStitched } from "../../src/lib/segmentation/predict";
import { createRng } from "../../src/lib/util/rng";

before(async () => {
  await tf.setBackend("cpu");
});

function randomImage(H: number, W: number, C: number, seed: number) {
  const rng = createRng(seed, "predict-test");
  return { data: new Float32Array(H * W * C).map(() => rng.next()), height: H, width: W, channels: C };
}

/** A LayersModel that is the identity on [th, tw, C] tiles. */
function identityModel(th: number, tw: number, C: number): tf.LayersModel {
  const input = tf.input({ shape: [th, tw, C] });
  const out = tf.layers.activation({ activation: "linear" }).apply(input) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

test("stitching is exact: an identity model on tiles gives back the full image (overlaps that divide and that don't)", async () => {
  const model = identityModel(32, 32, 2);
  const img = randomImage(64, 160, 2, 1);
  // minOverlap 16 → stride 16 divides both 64 − 32 and 160 − 32 (a regular grid);
  // 0 and 10 → strides 32 and 22 do not divide 128 and the last tile sits flush with the edge.
  for (const minOverlap of [0, 10, 16, 31]) {
    const out = await predictStitched(model, img, { minOverlap, batchSize: 3 });
    assert.deepEqual(out, img.data, `minOverlap ${minOverlap}`);
  }
  // An image exactly one tile high.
  const img2 = randomImage(32, 100, 2, 2);
  assert.deepEqual(await predictStitched(model, img2, { minOverlap: 5 }), img2.data);
  model.dispose();
});

test("flip TTA un-flips: f(x) = x + column ramp → x + the ramp's mean under horizontal TTA", async () => {
  const th = 8;
  const tw = 16;
  const ramp = tf.tensor4d(Float32Array.from({ length: th * tw }, (_, i) => i % tw), [1, th, tw, 1]);
  const f = (x: tf.Tensor4D) => tf.add(x, ramp) as tf.Tensor4D;
  const img = randomImage(th, 40, 1, 3);
  const plain = await predictStitched(f, img, { tileHeight: th, tileWidth: tw });
  const tta = await predictStitched(f, img, { tileHeight: th, tileWidth: tw, tta: { horizontal: true } });
  // (ramp + flipped ramp) / 2 = (tw − 1) / 2 everywhere.
  tta.forEach((v, i) => assert.ok(Math.abs(v - (img.data[i] + (tw - 1) / 2)) < 1e-5, `pixel ${i}`));
  assert.notDeepEqual(plain, tta);
  // Vertical TTA on a row-constant addend changes nothing.
  const vt = await predictStitched(f, img, { tileHeight: th, tileWidth: tw, tta: { vertical: true } });
  vt.forEach((v, i) => assert.ok(Math.abs(v - plain[i]) < 1e-5));
  ramp.dispose();
});

test("U-Net (resnet18) stitched prediction: shape, same seed → identical output, no tensor leak", async () => {
  const opts = { inputShape: [32, 32, 1] as [number, number, number], classes: 4, seed: 7, encoder: "resnet18", decoderChannels: [16, 8, 8, 8, 4] };
  const img = randomImage(32, 80, 1, 4);
  const a = createModel("unet", opts);
  const before = tf.memory().numTensors;
  const pa = await predictStitched(a, img, { minOverlap: 8, tta: { horizontal: true, vertical: true } });
  assert.equal(tf.memory().numTensors, before, "no tensor leak over a full stitched prediction with TTA");
  assert.equal(pa.length, 32 * 80 * 4);
  assert.ok(pa.every((v) => v >= 0 && v <= 1), "sigmoid probabilities");
  const b = createModel("unet", opts);
  assert.deepEqual(await predictStitched(b, img, { minOverlap: 8, tta: { horizontal: true, vertical: true } }), pa);
  await assert.rejects(predictStitched(a, img, { tileWidth: 64 }), /tiles of 32×64 but the model takes 32×32/);
  await assert.rejects(predictStitched(a, randomImage(32, 80, 3, 5)), /3 channels but the model takes 1/);
  await assert.rejects(predictStitched(a, randomImage(16, 80, 1, 5)), /larger than the image side 16/);
  a.dispose();
  b.dispose();
});
