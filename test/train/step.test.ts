import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createLoss } from "../../src/lib/losses/registry";
import { accumulateGradients, microBatches, trainStep } from "../../src/lib/train/step";
import { createOptimizer } from "../../src/lib/train/optimizers/factory";
import { maxAbsDiff, tinyData, tinyModel, weightsOf } from "./helpers";

before(async () => {
  await tf.setBackend("cpu");
});

test("microBatches covers the batch with uneven tails", () => {
  assert.deepEqual(microBatches(12, 5), [[0, 5], [5, 5], [10, 2]]);
  assert.deepEqual(microBatches(4), [[0, 4]]);
  assert.deepEqual(microBatches(4, 10), [[0, 4]]);
});

for (const [optName, lossOpts] of [
  ["sgd", {}],
  ["adamw", {}],
  ["sgd", { classWeights: [0.5, 2, 1], labelSmoothing: 0.1 }],
] as const) {
  test(`gradient accumulation = one full-batch step (${optName}, loss ${JSON.stringify(lossOpts)})`, async () => {
    const { x, y } = tinyData(1, 12);
    const loss = createLoss("cross-entropy", lossOpts);
    const results: Float32Array[][] = [];
    const losses: number[] = [];
    for (const micro of [undefined, 5, 1]) {
      const model = tinyModel(7, { conv: true });
      const opt = createOptimizer(optName, { lr: 0.1, weightDecay: 0.01 });
      const r = trainStep(model, opt, x, y, { loss, microBatchSize: micro });
      losses.push(r.loss);
      results.push(await weightsOf(model));
      opt.dispose();
      model.dispose();
    }
    // The step must actually change the weights (otherwise the comparison is vacuous).
    const init = tinyModel(7, { conv: true });
    assert.ok(maxAbsDiff(await weightsOf(init), results[0]) > 1e-3);
    init.dispose();
    assert.ok(maxAbsDiff(results[0], results[1]) < 1e-5, `micro 5: ${maxAbsDiff(results[0], results[1])}`);
    assert.ok(maxAbsDiff(results[0], results[2]) < 1e-5, `micro 1: ${maxAbsDiff(results[0], results[2])}`);
    assert.ok(Math.abs(losses[0] - losses[1]) < 1e-5 && Math.abs(losses[0] - losses[2]) < 1e-5, `${losses}`);
    tf.dispose([x, y]);
  });
}

test("accumulated gradients equal tf.variableGrads of the full-batch loss", () => {
  const { x, y } = tinyData(2, 9);
  const model = tinyModel(3);
  const loss = createLoss("cross-entropy");
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const full = tf.variableGrads(() => loss(y, model.apply(x) as tf.Tensor), vars);
  const acc = tf.tidy(() => {
    const r = accumulateGradients(model, x, y, { loss, microBatchSize: 4 });
    return r.grads.map((g) => g.tensor);
  });
  vars.forEach((v, i) => {
    const a = full.grads[v.name].dataSync();
    const b = acc[i].dataSync();
    a.forEach((val, j) => assert.ok(Math.abs(val - b[j]) < 1e-6, `${v.name}[${j}] ${val} vs ${b[j]}`));
  });
  tf.dispose([full.value, ...Object.values(full.grads), ...acc, x, y]);
  model.dispose();
});

test("tensor count is stable across 20 accumulated steps (no leaks)", () => {
  const { x, y } = tinyData(4, 10);
  const model = tinyModel(5, { conv: true });
  const opt = createOptimizer("adamw", { lr: 0.01 });
  const loss = createLoss("cross-entropy", { classWeights: [1, 2, 3] });
  const step = () => {
    const r = trainStep(model, opt, x, y, { loss, microBatchSize: 3, returnPredictions: true });
    assert.deepEqual(r.predictions?.shape, [10, 3]);
    r.predictions?.dispose();
  };
  step(); // the first step creates the optimizer's slots
  const n0 = tf.memory().numTensors;
  for (let i = 0; i < 20; i++) step();
  assert.equal(tf.memory().numTensors, n0);
  opt.dispose();
  model.dispose();
  tf.dispose([x, y]);
});

test("bad batches fail with a clear error", () => {
  const model = tinyModel(1);
  const opt = createOptimizer("sgd", { lr: 0.1 });
  const loss = createLoss("cross-entropy");
  const x = tf.zeros([4, 4, 4, 1]);
  const y = tf.zeros([3, 3]);
  assert.throws(() => trainStep(model, opt, x, y, { loss }), /x has 4 samples but y has 3/);
  const y2 = tf.zeros([4, 5]);
  assert.throws(() => trainStep(model, opt, x, y2, { loss }), /does not match yPred shape/);
  tf.dispose([x, y, y2]);
  opt.dispose();
  model.dispose();
});
