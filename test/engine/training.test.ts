/**
 * End-to-end training on wasm with the engine's kernels: a small SimpleCNN learns a seeded
 * toy problem (the loss falls), memory stays flat over 20 steps, registration is idempotent
 * and wasmStatus reports it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { registerWasmTrainingKernels, WASM_TRAINING_KERNELS, wasmStatus } from "../../src/lib/engine/index";
import { counts, setupWasm } from "./helpers";
import { createRng } from "../../src/lib/util/rng";

/** 3 conv blocks (Conv3x3+BN+ReLU+MaxPool), GAP, dense: the SimpleCNN shape, scaled down. */
function tinySimpleCnn(seed: number): tf.LayersModel {
  const rng = createRng(seed, "tiny-simplecnn");
  const input = tf.input({ shape: [16, 16, 1] });
  let x: tf.SymbolicTensor = input;
  for (const c of [8, 12, 16]) {
    x = tf.layers
      .conv2d({ filters: c, kernelSize: 3, padding: "same", kernelInitializer: tf.initializers.heNormal({ seed: rng.seed32() }) })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  }
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: rng.seed32() }) })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** Class 0: a bright horizontal bar, class 1: a bright vertical bar, on seeded noise. */
function toyBatch(n: number, seed: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const rng = createRng(seed, "toy-bars");
  const data = new Float32Array(n * 16 * 16);
  const labels = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const cls = i % 2;
    const pos = rng.int(2, 14);
    for (let r = 0; r < 16; r++)
      for (let c = 0; c < 16; c++) {
        const onBar = cls === 0 ? r === pos : c === pos;
        data[(i * 16 + r) * 16 + c] = (onBar ? 1 : 0) + rng.normal(0, 0.2);
      }
    labels[i * 2 + cls] = 1;
  }
  return { xs: tf.tensor4d(data, [n, 16, 16, 1]), ys: tf.tensor2d(labels, [n, 2]) };
}

test("registration is idempotent and reported by wasmStatus", async () => {
  await setupWasm(); // registers once
  assert.deepEqual(registerWasmTrainingKernels(), [], "second registration adds nothing");
  const st = wasmStatus();
  assert.equal(st.initialized, true);
  assert.equal(st.simd, true);
  assert.ok((st.threads ?? 0) >= 1);
  assert.deepEqual([...st.registeredTrainingKernels].sort(), [...WASM_TRAINING_KERNELS].sort());
  for (const name of WASM_TRAINING_KERNELS) assert.ok(tf.getKernel(name, "wasm"), `${name} registered on wasm`);
});

test("a SimpleCNN trains on wasm: loss falls, tensors and wasm buffers stay constant over 20 steps", async () => {
  await setupWasm();
  await tf.setBackend("wasm");
  const model = tinySimpleCnn(42);
  const { xs, ys } = toyBatch(16, 7);
  const opt = tf.train.adam(0.01);
  const step = (): number => {
    const loss = opt.minimize(
      () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
    ) as tf.Scalar;
    const v = loss.dataSync()[0];
    loss.dispose();
    return v;
  };
  const losses: number[] = [step(), step()]; // optimizer slots exist after the first steps
  const before = counts();
  for (let i = 0; i < 20; i++) {
    losses.push(step());
    const now = counts();
    assert.deepEqual(now, before, `step ${i}: live tensors / wasm buffers changed`);
  }
  for (let i = 0; i < 8; i++) losses.push(step());
  const first = (losses[0] + losses[1]) / 2;
  const last = losses.slice(-4).reduce((a, b) => a + b, 0) / 4;
  assert.ok(losses.every(Number.isFinite), "finite losses");
  assert.ok(last < 0.5 * first, `loss should fall: first ${first.toFixed(4)}, last ${last.toFixed(4)}`);
  // The trained model separates the classes on a fresh seeded batch (batch statistics: 30 steps
  // are too few for BatchNorm's moving averages, momentum 0.99).
  const test = toyBatch(32, 99);
  const acc = tf.tidy(() => {
    const pred = (model.apply(test.xs, { training: true }) as tf.Tensor).argMax(1);
    return pred.equal(test.ys.argMax(1)).mean().dataSync()[0];
  });
  assert.ok(acc >= 0.9, `held-out accuracy ${acc}`);
  tf.dispose([xs, ys, test.xs, test.ys]);
  opt.dispose();
  model.dispose();
});
