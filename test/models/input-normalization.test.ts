import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { InputNormalizationLayer } from "../../src/lib/models/input-normalization";
import { createModel } from "../../src/lib/models/registry";
import { loadModel, saveModel } from "../../src/lib/train/checkpoint";

before(async () => {
  await tf.setBackend("cpu");
});

function apply(mode: "standardize" | "caffe" | "none", x: tf.Tensor): number[] {
  const layer = new InputNormalizationLayer({ mode });
  return Array.from(tf.tidy(() => (layer.apply(x) as tf.Tensor).dataSync()));
}

test("standardize: each image independently to (x - mean) / std (population std)", () => {
  // image 0: values 1,2,3,4 → mean 2.5, std sqrt(1.25); image 1: constant 7 → zeros (std floor).
  const x = tf.tensor4d([1, 2, 3, 4, 7, 7, 7, 7], [2, 2, 2, 1]);
  const out = apply("standardize", x);
  const s = Math.sqrt(1.25);
  const expected = [(1 - 2.5) / s, (2 - 2.5) / s, (3 - 2.5) / s, (4 - 2.5) / s, 0, 0, 0, 0];
  out.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `element ${i}: ${v} vs ${expected[i]}`));
  x.dispose();
});

test("standardize removes global brightness: a brighter copy of an image gives the same output", () => {
  const a = tf.randomUniform([1, 6, 5, 1], 0.3, 0.4, "float32", 7);
  const b = tf.add(a, 0.25);
  const da = apply("standardize", a);
  const db = apply("standardize", b);
  da.forEach((v, i) => assert.ok(Math.abs(v - db[i]) < 1e-3, `element ${i}`));
  tf.dispose([a, b]);
});

test("caffe: grey [0,1] → 3-channel BGR 0–255 minus the ImageNet means", () => {
  const x = tf.tensor4d([0.5], [1, 1, 1, 1]);
  const out = apply("caffe", x);
  const expected = [127.5 - 103.939, 127.5 - 116.779, 127.5 - 123.68];
  out.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-3, `channel ${i}: ${v}`));
  x.dispose();
});

test("an unknown mode is a clear error", () => {
  assert.throws(() => new InputNormalizationLayer({ mode: "zscore" as never }), /must be one of none, standardize, caffe/);
});

test("a model with the normalisation layer saves and loads with the same predictions", async () => {
  const model = createModel("simplecnn", { inputShape: [16, 24, 1], classes: 3, seed: 5, inputNormalization: "standardize" });
  assert.ok(model.layers.some((l) => l instanceof InputNormalizationLayer), "the layer is part of the model");
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "steel-norm-")), "m");
  await saveModel(model, dir);
  const loaded = await loadModel(dir);
  const x = tf.randomUniform([2, 16, 24, 1], 0, 1, "float32", 3);
  const a = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
  const b = tf.tidy(() => (loaded.predict(x) as tf.Tensor).dataSync());
  assert.deepEqual(Array.from(b), Array.from(a));
  // and the prediction does not change when the whole image gets brighter
  const c = tf.tidy(() => (model.predict(tf.add(x, 0.2)) as tf.Tensor).dataSync());
  a.forEach((v, i) => assert.ok(Math.abs(v - c[i]) < 1e-3, `output ${i}: ${v} vs ${c[i]}`));
  x.dispose();
  model.dispose();
  loaded.dispose();
});
