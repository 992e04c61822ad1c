/**
 * Freezing behaviour beyond variable counts (those are in models.test.ts): frozen BatchNorm
 * runs in inference mode, unfrozen BN uses batch statistics (checked against a hand-computed
 * moving-mean update), `fit` leaves frozen weights untouched, and models not built by
 * createModel are frozen from their Keras-style layer names.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createModel } from "../../src/lib/models/registry";
import { freezeStages } from "../../src/lib/models/freeze";

before(async () => {
  await tf.setBackend("cpu");
});

const values = (m: tf.LayersModel, layer: string, i: number) => m.getLayer(layer).getWeights()[i].dataSync().slice();
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

describe("BatchNorm under freezing", () => {
  test("premise: a plain tfjs BN with trainable=false still updates its moving mean when training", () => {
    const layer = tf.layers.batchNormalization({ axis: -1 });
    const x = tf.tensor2d([[1, 2], [3, 6]]);
    layer.apply(x); // build
    layer.trainable = false;
    tf.tidy(() => {
      layer.apply(x, { training: true });
    });
    const mean = (layer.getWeights()[2] as tf.Tensor).dataSync();
    // momentum 0.99: 0.01 * batch mean [2, 4]
    assert.ok(Math.abs(mean[0] - 0.02) < 1e-6 && Math.abs(mean[1] - 0.04) < 1e-6, `moving mean ${mean}`);
    x.dispose();
  });

  test("frozen stages: training-mode output equals inference and moving stats stay put", () => {
    const m = createModel("simplecnn", { inputShape: [16, 16, 3], classes: 3, seed: 3, freeze: 3 });
    const x = tf.randomUniform([2, 16, 16, 3], 0, 1, "float32", 1);
    const meanBefore = values(m, "block1_bn", 2);
    const varBefore = values(m, "block1_bn", 3);
    const train = tf.tidy(() => (m.apply(x, { training: true }) as tf.Tensor).dataSync());
    const infer = tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync());
    assert.ok(maxAbsDiff(train, infer) < 1e-6, "frozen BN must use moving statistics");
    assert.deepEqual(values(m, "block1_bn", 2), meanBefore);
    assert.deepEqual(values(m, "block1_bn", 3), varBefore);
    x.dispose();
    m.dispose();
  });

  test("unfrozen stages: batch statistics, moving mean = 0.9·old + 0.1·batch mean (PyTorch momentum 0.1)", () => {
    const m = createModel("simplecnn", { inputShape: [16, 16, 3], classes: 3, seed: 3 });
    const x = tf.randomUniform([2, 16, 16, 3], 0, 1, "float32", 1);
    const convOut = tf.model({ inputs: m.inputs, outputs: m.getLayer("block1_conv").output as tf.SymbolicTensor });
    const batchMean = tf.tidy(() => tf.mean(convOut.predict(x) as tf.Tensor, [0, 1, 2]).dataSync());
    const old = values(m, "block1_bn", 2);
    const train = tf.tidy(() => (m.apply(x, { training: true }) as tf.Tensor).dataSync());
    const infer = tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync());
    assert.ok(maxAbsDiff(train, infer) > 1e-4, "trainable BN must normalise with batch statistics");
    const now = values(m, "block1_bn", 2);
    for (let c = 0; c < now.length; c++) {
      const expected = 0.9 * old[c] + 0.1 * batchMean[c];
      assert.ok(Math.abs(now[c] - expected) < 1e-5, `channel ${c}: ${now[c]} vs ${expected}`);
    }
    x.dispose();
    m.dispose();
  });

  test("fit after freezing (and recompiling) changes only unfrozen weights", async () => {
    const m = createModel("simplecnn", { inputShape: [16, 16, 3], classes: 3, seed: 4 });
    freezeStages(m, 2);
    m.compile({ optimizer: tf.train.sgd(0.1), loss: "categoricalCrossentropy" });
    const frozen = ["block1_conv", "block1_bn", "block2_conv", "block2_bn"];
    const live = ["block3_conv", "head_predictions"];
    const snap = (names: string[]) => names.map((n) => m.getLayer(n).getWeights().map((w) => w.dataSync().slice()));
    const frozenBefore = snap(frozen);
    const liveBefore = snap(live);
    const bn3Before = values(m, "block3_bn", 2);
    const x = tf.randomUniform([4, 16, 16, 3], 0, 1, "float32", 2);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], "int32"), 3);
    await m.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, shuffle: false });
    assert.deepEqual(snap(frozen), frozenBefore, "frozen layers (incl. BN moving stats) unchanged");
    const liveAfter = snap(live);
    liveAfter.forEach((ws, i) => assert.ok(maxAbsDiff(ws[0], liveBefore[i][0]) > 0, `${live[i]} kernel trained`));
    assert.ok(maxAbsDiff(values(m, "block3_bn", 2), bn3Before) > 0, "unfrozen BN updates its moving mean");
    tf.dispose([x, y]);
    m.dispose();
  });
});

describe("freeze option and name-based stages", () => {
  test("createModel({freeze}) equals freezeStages on a fresh model", () => {
    const o = { inputShape: [16, 16, 3] as [number, number, number], classes: 2, seed: 1 };
    const a = createModel("resnet18", { ...o, freeze: 2 });
    const b = createModel("resnet18", o);
    const r = freezeStages(b, 2);
    assert.deepEqual(a.trainableWeights.map((w) => w.originalName), b.trainableWeights.map((w) => w.originalName));
    assert.ok(r.frozenLayers.includes("conv1_conv") && r.frozenLayers.includes("conv3_block2_out"));
    assert.ok(!r.frozenLayers.some((n) => n.startsWith("conv4_") || n.startsWith("head_")));
    a.dispose();
    b.dispose();
  });

  test("a model not built by createModel is frozen by its Keras layer names, BN guarded", () => {
    const input = tf.input({ shape: [8, 8, 2] });
    let x = tf.layers.conv2d({ name: "conv1_conv", filters: 2, kernelSize: 3, padding: "same" }).apply(input) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ name: "conv1_bn" }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.conv2d({ name: "conv2_block1_1_conv", filters: 2, kernelSize: 1 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.conv2d({ name: "conv3_block1_1_conv", filters: 2, kernelSize: 1 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
    const y = tf.layers.dense({ name: "fc", units: 2 }).apply(x) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: y });
    const r = freezeStages(m, 1);
    assert.deepEqual(r.frozenLayers, ["conv1_conv", "conv1_bn", "conv2_block1_1_conv"]);
    assert.deepEqual(m.trainableWeights.map((w) => w.originalName).sort(), [
      "conv3_block1_1_conv/bias",
      "conv3_block1_1_conv/kernel",
      "fc/bias",
      "fc/kernel",
    ]);
    const before0 = values(m, "conv1_bn", 2);
    tf.tidy(() => {
      m.apply(tf.randomUniform([2, 8, 8, 2], 0, 1, "float32", 1), { training: true });
    });
    assert.deepEqual(values(m, "conv1_bn", 2), before0, "freezeStages installs the BN guard");
    assert.throws(() => freezeStages(m, 3), /freeze must be an integer in 0\.\.2/);
    m.dispose();
  });

  test("a model without recognisable stages cannot be frozen", () => {
    const input = tf.input({ shape: [4] });
    const m = tf.model({ inputs: input, outputs: tf.layers.dense({ name: "fc", units: 2 }).apply(input) as tf.SymbolicTensor });
    assert.throws(() => freezeStages(m, 1), /no recognisable encoder stages/);
    assert.equal(freezeStages(m, 0).frozenLayers.length, 0);
    m.dispose();
  });
});
