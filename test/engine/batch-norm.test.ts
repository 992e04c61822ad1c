/**
 * The fused training batch norm (engine/batch-norm-training.ts) on wasm against tfjs' own moments +
 * batchNorm on the cpu backend: outputs, batch statistics, gradients (also through the
 * statistics), the Keras layer's moving-statistics update, and no leaks.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { canFuseBatchNorm } from "../../src/lib/engine/index";
import { batchNorm } from "../../src/lib/models/layers";
import { randomHost, relErr, setupWasm } from "./helpers";
import { checkFusedBatchNormAgainstCpu, TOL } from "./batch-norm-reference";

test("fused batch norm: outputs and gradients match tfjs on cpu (ranks 2 and 4, offset data, several blocks)", async () => {
  await checkFusedBatchNormAgainstCpu();
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
