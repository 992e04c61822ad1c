/**
 * skipInputGradients: only stems are changed, training results are unchanged, and the stem's
 * input gradient is no longer computed (counted with tf.profile) unless someone asks for it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { skipInputGradients } from "../../src/lib/models/input-conv";
import { createModel } from "../../src/lib/models";

function tiny(seed: number): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  const scaled = tf.layers.rescaling({ scale: 0.5 }).apply(input) as tf.SymbolicTensor; // weightless
  const init = (s: number) => tf.initializers.glorotUniform({ seed: seed + s });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: "same", kernelInitializer: init(1), biasInitializer: "ones", name: "stem" }).apply(scaled) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, kernelInitializer: init(2), name: "second" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, kernelInitializer: init(3) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

async function lossAndGrads(model: tf.LayersModel, x: tf.Tensor, withInput: boolean): Promise<{ values: Float32Array[]; backpropInputs: number }> {
  let values: Float32Array[] = [];
  const prof = await tf.profile(() => {
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const f = () => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar;
    const { value, grads } = tf.variableGrads(f, vars);
    values = [value.dataSync() as Float32Array, ...vars.map((v) => grads[v.name].dataSync() as Float32Array)];
    if (withInput) values.push(tf.grad((inp: tf.Tensor) => tf.sum(tf.square(model.apply(inp, { training: true }) as tf.Tensor)))(x).dataSync() as Float32Array);
    tf.dispose([value, ...Object.values(grads)]);
  });
  return { values, backpropInputs: prof.kernels.filter((k) => k.name === "Conv2DBackpropInput").length };
}

test("skipInputGradients changes only the stem; same loss and weight gradients; no stem input gradient", async () => {
  await tf.setBackend("cpu");
  const x = tf.randomNormal([2, 8, 8, 3], 0, 1, "float32", 3);
  const plain = tiny(10);
  const skipping = tiny(10);
  assert.deepEqual(skipInputGradients(skipping), ["stem"]);
  const a = await lossAndGrads(plain, x, true);
  const b = await lossAndGrads(skipping, x, true);
  for (let i = 0; i < a.values.length; i++) {
    const pa = Array.from(a.values[i]);
    const pb = Array.from(b.values[i]);
    pa.forEach((v, j) => assert.ok(Math.abs(v - pb[j]) <= 1e-5 * (1 + Math.abs(v)), `tensor ${i} element ${j}: ${v} vs ${pb[j]}`));
  }
  // Weight gradients only: the plain model computes dx of both convs, the other only of "second".
  const wa = await lossAndGrads(plain, x, false);
  const wb = await lossAndGrads(skipping, x, false);
  assert.equal(wa.backpropInputs, 2);
  assert.equal(wb.backpropInputs, 1);
  // Asking for the input gradient still gets it (last value above matched the plain model).
  tf.dispose([x]);
  plain.dispose();
  skipping.dispose();
});

test("registry models have their stem marked (classifiers and U-Net)", () => {
  for (const [name, stem] of [["simplecnn", "block1_conv"], ["resnet50", "conv1_conv"], ["unet", "conv1_conv"]] as const) {
    const m = createModel(name, { inputShape: [64, 64, 3], classes: 2, seed: 1, inputNormalization: "standardize" });
    const marked = m.layers.filter((l) => (l as unknown as { __steelUnfusedTraining?: boolean }).__steelUnfusedTraining).map((l) => l.name);
    assert.deepEqual(marked, [stem], name);
    m.dispose();
  }
});
