/** The web model files: float32 round trip is exact, quantised sizes, ≤ 4 MiB shards, the segmenter export. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { createModel } from "../../src/lib/models/registry";
import { webModelFiles, loadWebModel, SHARD_BYTES } from "../../src/lib/export/artifacts";
import { exportSegmenter } from "../../src/lib/export/export-classifier";

function input(shape: number[], seed: number): tf.Tensor4D {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(Float32Array.from({ length: n }, (_, i) => ((i * 2654435761 + seed) % 1000) / 1000), shape as [number, number, number, number]);
}

test("float32 export reloads to the same outputs; float16 / uint8 shrink the weights to 1/2 and 1/4", async () => {
  const model = createModel("simplecnn", { inputShape: [32, 48, 1], classes: 4, seed: 3, inputNormalization: "standardize" });
  const x = input([2, 32, 48, 1], 1);
  const ref = (model.predict(x) as tf.Tensor).dataSync();
  const f32 = await webModelFiles(model, "none");
  const back = await loadWebModel(f32);
  assert.deepEqual(Array.from((back.predict(x) as tf.Tensor).dataSync()), Array.from(ref));
  const nParams = model.countParams();
  assert.equal(f32.weightBytes, 4 * nParams);
  const f16 = await webModelFiles(model, "float16");
  const u8 = await webModelFiles(model, "uint8");
  assert.equal(f16.weightBytes, 2 * nParams);
  assert.equal(u8.weightBytes, nParams);
  for (const files of [f16, u8]) {
    const m = await loadWebModel(files);
    const p = (m.predict(x) as tf.Tensor).dataSync();
    // Softmax rows still sum to 1 and stay near the float32 ones (a loose sanity bound; accuracy is measured by the export command).
    for (let i = 0; i < p.length; i++) assert.ok(Math.abs(p[i] - ref[i]) < 0.2);
    m.dispose();
  }
  x.dispose();
  back.dispose();
  model.dispose();
});

test("weights over 4 MiB are split into converter-named shards that reload", async () => {
  const inp = tf.input({ shape: [1100] });
  const model = tf.model({ inputs: inp, outputs: tf.layers.dense({ units: 1000 }).apply(inp) as tf.SymbolicTensor });
  const files = await webModelFiles(model, "none");
  assert.deepEqual(files.shards.map((s) => s.name), ["group1-shard1of2.bin", "group1-shard2of2.bin"]);
  assert.equal(files.shards[0].data.byteLength, SHARD_BYTES);
  assert.equal(files.shards[0].data.byteLength + files.shards[1].data.byteLength, 4 * (1100 * 1000 + 1000));
  const back = await loadWebModel(files);
  const a = model.getWeights()[0].dataSync();
  const b = back.getWeights()[0].dataSync();
  assert.equal(a[a.length - 1], b[b.length - 1]);
  model.dispose();
  back.dispose();
});

test("a U-Net run folder exports as a segmenter with class names from its config", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seg-export-"));
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ model: "unet", classNames: ["c1", "c2", "c3", "c4"], dataset: "severstal", seed: 5 }));
  const unet = createModel("unet", { inputShape: [32, 64, 1], classes: 4, seed: 1 });
  const meta = await exportSegmenter(unet, dir, { outDir: path.join(dir, "out"), scheme: "uint8", backend: "test", seed: 42 });
  assert.equal(meta.kind, "segmenter");
  assert.deepEqual(meta.classNames, ["c1", "c2", "c3", "c4"]);
  assert.deepEqual([meta.input.height, meta.input.width, meta.input.channels], [32, 64, 1]);
  const json = JSON.parse(fs.readFileSync(path.join(dir, "out", "model.json"), "utf8")) as tf.io.ModelJSON;
  assert.ok(json.weightsManifest[0].weights.every((w) => w.dtype !== "float32" || w.quantization?.dtype === "uint8"));
  unet.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});
