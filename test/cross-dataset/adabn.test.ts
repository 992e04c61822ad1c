import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createModel } from "../../src/lib/models/registry";
import { adaptBatchNorm, embeddings, predictProbs, restoreBatchNorm, snapshotBatchNorm } from "../../src/lib/cross-dataset";
import type { ImageData32 } from "../../src/lib/data/types";
import { createRng } from "../../src/lib/util/rng";

before(async () => {
  await tf.setBackend("cpu");
});

function images(n: number, offset: number, seed: number): ImageData32[] {
  const r = createRng(seed, "adabn-test");
  return Array.from({ length: n }, () => ({ data: Float32Array.from({ length: 16 * 16 }, () => offset + r.uniform(0, 0.3)), height: 16, width: 16, channels: 1 }));
}

function weightsByName(m: tf.LayersModel): Map<string, Float32Array> {
  return new Map(m.weights.map((w) => [w.originalName, w.read().dataSync() as Float32Array]));
}

test("AdaBN changes only the BN moving statistics; each becomes its input's population mean/variance on the target", () => {
  const model = createModel("simplecnn", { inputShape: [16, 16, 1], classes: 3, seed: 3, head: { hidden: 8 } });
  const target = images(10, 0.5, 1);
  const before = weightsByName(model);
  const adapted = adaptBatchNorm(model, target, 4); // batch 4: 10 images merge over uneven batches
  assert.deepEqual(adapted, ["block1_bn", "block2_bn", "block3_bn"]);
  const after = weightsByName(model);
  for (const [name, w] of before) {
    const changed = w.some((v, i) => v !== after.get(name)![i]);
    assert.equal(changed, /moving_(mean|variance)/.test(name), `${name} changed=${changed}`);
  }
  // Independent check for every BN layer: its input on all 10 images at once (the adapted model), plain float64 loops.
  for (const name of adapted) {
    const layer = model.getLayer(name);
    const sub = tf.model({ inputs: model.inputs, outputs: layer.input as tf.SymbolicTensor });
    const x = tf.tensor4d(Float32Array.from(target.flatMap((t) => [...t.data])), [10, 16, 16, 1]);
    const act = (sub.predict(x) as tf.Tensor).dataSync();
    const C = (layer.input as tf.SymbolicTensor).shape[3] as number;
    const n = act.length / C;
    const mean = new Float64Array(C);
    const sq = new Float64Array(C);
    for (let i = 0; i < act.length; i++) mean[i % C] += act[i] / n;
    for (let i = 0; i < act.length; i++) sq[i % C] += (act[i] - mean[i % C]) ** 2 / n;
    const got = after.get(`${name}/moving_mean`)!;
    const gotVar = after.get(`${name}/moving_variance`)!;
    for (let c = 0; c < C; c++) {
      assert.ok(Math.abs(got[c] - mean[c]) < 1e-4 * Math.max(1, Math.abs(mean[c])), `${name} mean[${c}] ${got[c]} vs ${mean[c]}`);
      assert.ok(Math.abs(gotVar[c] - sq[c]) < 1e-3 * Math.max(1e-3, sq[c]), `${name} var[${c}] ${gotVar[c]} vs ${sq[c]}`);
    }
    x.dispose();
  }
  model.dispose();
});

test("snapshot/restore puts the source statistics back (predictions identical) and leaks no tensors", () => {
  const model = createModel("simplecnn", { inputShape: [16, 16, 1], classes: 3, seed: 3 });
  const src = images(6, 0.1, 2);
  const p0 = predictProbs(model, src);
  const n0 = tf.memory().numTensors;
  const snap = snapshotBatchNorm(model);
  adaptBatchNorm(model, images(6, 0.6, 3));
  assert.notDeepEqual(predictProbs(model, src), p0);
  restoreBatchNorm(model, snap);
  assert.deepEqual(predictProbs(model, src), p0);
  embeddings(model, src);
  assert.equal(tf.memory().numTensors, n0);
  model.dispose();
});
