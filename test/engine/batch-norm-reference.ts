/**
 * The fused batch norm's reference and cases, shared by batch-norm.test.ts (wasm SIMD passes)
 * and native.test.ts (the addon's passes): tfjs' own moments + batchNorm on the cpu backend.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { batchNormTraining, canFuseBatchNorm } from "../../src/lib/engine/index";
import { onBothBackends, randomHost, relErr, type HostTensor } from "./helpers";

export const TOL = 1e-4;
export const EPS = 1e-3;

/** tfjs' composition (what tfjs-layers runs in training): [y, mean, variance]. */
export function reference(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor[] {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return [tf.batchNorm(x, mean, variance, beta, gamma, EPS), mean, variance];
}

/** Forward outputs, then d/d(x, gamma, beta) of Σ y·ry + Σ mean·rm + Σ var·rv. */
export function outputsAndGrads(t: Record<string, tf.Tensor>): tf.Tensor[] {
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

export const NAMES = ["y", "mean", "variance", "dx", "dgamma", "dbeta"];

/** Outputs and gradients of the fused op on wasm against cpu over ranks 2 and 4, offset data, several blocks. */
export async function checkFusedBatchNormAgainstCpu(): Promise<void> {
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
}
