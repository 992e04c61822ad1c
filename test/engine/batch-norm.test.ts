/**
 * The fused training batch norm (engine/batch-norm.ts) on wasm against tfjs' own moments +
 * batchNorm on the cpu backend: outputs, batch statistics, gradients (also through the
 * statistics), the Keras layer's moving-statistics update, and no leaks.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { batchNormTraining, canFuseBatchNorm } from "../../src/lib/engine/batch-norm";
import { batchNorm } from "../../src/lib/models/layers";
import { onBothBackends, randomHost, relErr, setupWasm, type HostTensor } from "./helpers";

const TOL = 1e-4;
const EPS = 1e-3;

/** tfjs' composition (what tfjs-layers runs in training): [y, mean, variance]. */
function reference(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor[] {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return [tf.batchNorm(x, mean, variance, beta, gamma, EPS), mean, variance];
}

/** Forward outputs, then d/d(x, gamma, beta) of Σ y·ry + Σ mean·rm + Σ var·rv. */
function outputsAndGrads(t: Record<string, tf.Tensor>): tf.Tensor[] {
  const fused = tf.getBackend() === "wasm";
  if (fused) assert.ok(canFuseBatchNorm(t.x), "the fused op must run on wasm here");
  const run = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => (fused ? batchNormTraining(x, g, b, EPS) : reference(x, g, b));
  const loss = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const [y, mean, variance] = run(x, g, b);
    return tf.addN([tf.sum(tf.mul(y, t.ry)), tf.sum(tf.mul(mean, t.rm)), tf.sum(tf.mul(variance, t.rv))]) as tf.Scalar;
  };
  const grads = tf.grads(loss)([t.x, t.gamma, t.beta]);
  return [...run(t.x, t.gamma, t.beta), ...grads];
}

const NAMES = ["y", "mean", "variance", "dx", "dgamma", "dbeta"];

test("fused batch norm: outputs and gradients match tfjs on cpu (ranks 2 and 4, offset data, several blocks)", async () => {
  const cases: Array<{ shape: number[]; offset: number; statGrads: boolean }> = [
    { shape: [2, 5, 7, 8], offset: 0, statGrads: false },
    { shape: [3, 4, 6, 12], offset: 3, statGrads: true },
    { shape: [6000, 4], offset: -2, statGrads: true }, // 6000 pixels of 4 channels: two partial-sum blocks
    { shape: [1, 3, 3, 64], offset: 0.5, statGrads: false },
  ];
  for (const [i, c] of cases.entries()) {
    const C = c.shape[c.shape.length - 1];
    const x = randomHost(c.shape, 7, `bn/x/${i}`);
    for (let k = 0; k < x.data.length; k++) x.data[k] = x.data[k] * (1 + (k % C) / C) + c.offset;
    const inputs: Record<string, HostTensor> = {
      x,
      gamma: randomHost([C], 7, `bn/g/${i}`, [0.5, 1.5]),
      beta: randomHost([C], 7, `bn/b/${i}`),
      ry: randomHost(c.shape, 7, `bn/ry/${i}`),
      rm: c.statGrads ? randomHost([C], 7, `bn/rm/${i}`) : { shape: [C], data: new Float32Array(C) },
      rv: c.statGrads ? randomHost([C], 7, `bn/rv/${i}`) : { shape: [C], data: new Float32Array(C) },
    };
    const r = await onBothBackends(inputs, outputsAndGrads);
    for (const [j, name] of NAMES.entries()) {
      const e = relErr(r.wasm[j], r.cpu[j]);
      assert.ok(e <= TOL, `case ${i} [${c.shape}] ${name}: relative error ${e.toExponential(2)} > ${TOL}`);
    }
    assert.deepEqual(r.leaked, { tensors: 0, dataIds: 0 }, `case ${i}: wasm leaked`);
  }
});

test("fused batch norm is used only where it applies (wasm, channels a multiple of 4)", async () => {
  await setupWasm();
  await tf.setBackend("wasm");
  const ok = tf.zeros([2, 3, 3, 8]);
  const odd = tf.zeros([2, 3, 3, 6]);
  assert.equal(canFuseBatchNorm(ok), true);
  assert.equal(canFuseBatchNorm(odd), false);
  tf.dispose([ok, odd]);
  await tf.setBackend("cpu");
  const onCpu = tf.zeros([2, 3, 3, 8]);
  assert.equal(canFuseBatchNorm(onCpu), false);
  onCpu.dispose();
  await tf.setBackend("wasm");
});

test("a training BatchNormalization layer gives the same output and moving statistics on wasm (fused) and cpu", async () => {
  const x = randomHost([4, 5, 5, 16], 9, "bn-layer/x");
  for (let k = 0; k < x.data.length; k++) x.data[k] = 2 + 3 * x.data[k];
  const results: Record<string, Float32Array[]> = {};
  for (const be of ["cpu", "wasm"] as const) {
    await setupWasm();
    await tf.setBackend(be);
    const layer = batchNorm("bn_test");
    const input = tf.tensor(x.data, x.shape);
    layer.apply(input); // builds the weights
    const w = layer.getWeights();
    // Non-trivial gamma/beta so the affine part is checked too.
    layer.setWeights([tf.linspace(0.5, 1.5, 16), tf.linspace(-1, 1, 16), w[2], w[3]]);
    const y = tf.tidy(() => layer.apply(input, { training: true }) as tf.Tensor);
    results[be] = [y.dataSync() as Float32Array, ...layer.getWeights().slice(2).map((t) => t.dataSync() as Float32Array)];
    tf.dispose([input, y]);
    layer.dispose();
  }
  for (const [j, name] of ["y", "moving mean", "moving variance"].entries()) {
    const e = relErr(results.wasm[j], results.cpu[j]);
    assert.ok(e <= TOL, `${name}: relative error ${e.toExponential(2)}`);
  }
  // The moving mean moved from 0 toward the batch mean (~2) by 1 - momentum.
  assert.ok(Math.abs(results.wasm[1][0] - 0.1 * 2) < 0.15, `moving mean ${results.wasm[1][0]}`);
});
