/**
 * Keras HDF5 weight loading. The test writes its own small `.h5` files in the Keras 2 layout
 * (root attribute layer_names, per-layer weight_names, datasets at /<layer>/<layer>/<w>:0) with
 * h5wasm into a temp dir, and checks every value lands in the variable of the same name.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import {
  findPretrainedWeights,
  loadH5wasm,
  loadKerasH5Weights,
  RESNET50_NOTOP_FILE,
} from "../../src/lib/models/keras-h5";
import { writeKerasH5, type LayerSpec } from "./h5-fixture";
import { projectPaths } from "../../src/lib/config/paths";
import { createModel } from "../../src/lib/models/registry";
import { kerasResNetPreprocess } from "../../src/lib/models/preprocess";

let dir: string;

before(async () => {
  await tf.setBackend("cpu");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "steel-h5-"));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Input [6, 6, 3] → conv1_conv (3x3x3x2, bias) → conv1_bn → conv1_relu → GAP → fc (2 → 3). */
function smallModel(): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 3], name: "input_1" });
  let x = tf.layers.conv2d({ name: "conv1_conv", filters: 2, kernelSize: 3 }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: "conv1_bn", epsilon: 1.001e-5 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ name: "conv1_relu", activation: "relu" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: "avg_pool" }).apply(x) as tf.SymbolicTensor;
  const y = tf.layers.dense({ name: "fc", units: 3 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: y });
}

/** Distinct values per weight: base + 0.001 * index. */
function ramp(n: number, base: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => base + 0.001 * i);
}

const KERNEL = ramp(3 * 3 * 3 * 2, 0.1);
const BIAS = Float32Array.of(0.5, -0.5);
const GAMMA = Float32Array.of(1.5, 2.5);
const BETA = Float32Array.of(-1, 1);
const MEAN = Float32Array.of(0.25, 0.75);
const VAR = Float32Array.of(4, 9);

/** The file layout of the small model minus "fc", plus a layer the model lacks. */
function fileLayers(kernelShape = [3, 3, 3, 2]): LayerSpec[] {
  return [
    { name: "conv1_conv", weights: [{ name: "kernel", shape: kernelShape, data: ramp(kernelShape.reduce((a, b) => a * b, 1), 0.1) }, { name: "bias", shape: [2], data: BIAS }] },
    {
      name: "conv1_bn",
      // Out of Keras order on purpose: weights are matched by name, not position.
      weights: [
        { name: "moving_variance", shape: [2], data: VAR },
        { name: "beta", shape: [2], data: BETA },
        { name: "gamma", shape: [2], data: GAMMA },
        { name: "moving_mean", shape: [2], data: MEAN },
      ],
    },
    { name: "conv1_relu", weights: [] },
    { name: "predictions", weights: [{ name: "kernel", shape: [2, 1000], data: new Float32Array(2000) }, { name: "bias", shape: [1000], data: new Float32Array(1000) }] },
  ];
}

function weightOf(model: tf.LayersModel, layer: string, short: string): Float32Array {
  const w = model.getLayer(layer).weights.find((v) => v.originalName.endsWith(`/${short}`));
  assert.ok(w, `${layer}/${short} exists`);
  return w.read().dataSync() as Float32Array;
}

describe("loadKerasH5Weights", () => {
  test("loads by layer and weight name, reports loaded / missing / unexpected", async () => {
    const file = path.join(dir, "weights.h5");
    await writeKerasH5(file, fileLayers());
    const model = smallModel();
    const fcBefore = weightOf(model, "fc", "kernel").slice();
    const report = await loadKerasH5Weights(model, file);
    assert.deepEqual(report.loaded, ["conv1_conv", "conv1_bn"]);
    assert.deepEqual(report.missing, ["fc"]);
    assert.deepEqual(report.unexpected, ["predictions"]);
    assert.deepEqual(report.mismatched, []);
    assert.deepEqual(weightOf(model, "conv1_conv", "kernel"), KERNEL);
    assert.deepEqual(weightOf(model, "conv1_conv", "bias"), BIAS);
    assert.deepEqual(weightOf(model, "conv1_bn", "gamma"), GAMMA);
    assert.deepEqual(weightOf(model, "conv1_bn", "beta"), BETA);
    assert.deepEqual(weightOf(model, "conv1_bn", "moving_mean"), MEAN);
    assert.deepEqual(weightOf(model, "conv1_bn", "moving_variance"), VAR);
    assert.deepEqual(weightOf(model, "fc", "kernel"), fcBefore, "missing layers keep their values");

    // The loaded kernel acts as a Keras [kh, kw, in, out] kernel: with an input that is 1 at
    // one pixel/channel, the conv output at the window containing it is kernel[kh, kw, c, :] + bias.
    const x = tf.buffer([1, 6, 6, 3]);
    x.set(1, 0, 1, 2, 1); // row 1, col 2, channel 1
    const convOnly = tf.model({ inputs: model.inputs, outputs: model.getLayer("conv1_conv").output as tf.SymbolicTensor });
    const y = (convOnly.predict(x.toTensor()) as tf.Tensor).arraySync() as number[][][][];
    // Output (0, 0) sees input rows 0..2, cols 0..2, so the pixel is at kh=1, kw=2.
    for (let o = 0; o < 2; o++) {
      const k = KERNEL[((1 * 3 + 2) * 3 + 1) * 2 + o];
      assert.ok(Math.abs(y[0][0][0][o] - (k + BIAS[o])) < 1e-6, `out ${o}: ${y[0][0][0][o]} vs ${k + BIAS[o]}`);
    }
    model.dispose();
  });

  test("reads the full-model layout under /model_weights", async () => {
    const file = path.join(dir, "full.h5");
    await writeKerasH5(file, fileLayers(), true);
    const model = smallModel();
    const report = await loadKerasH5Weights(model, file);
    assert.deepEqual(report.loaded, ["conv1_conv", "conv1_bn"]);
    assert.deepEqual(weightOf(model, "conv1_bn", "moving_variance"), VAR);
    model.dispose();
  });

  test("a shape mismatch names the layer and both shapes and leaves the model untouched", async () => {
    const file = path.join(dir, "mismatch.h5");
    await writeKerasH5(file, fileLayers([3, 3, 3, 4]));
    const model = smallModel();
    const kernelBefore = weightOf(model, "conv1_conv", "kernel").slice();
    const bnBefore = weightOf(model, "conv1_bn", "gamma").slice();
    await assert.rejects(loadKerasH5Weights(model, file), (err: Error) => {
      assert.match(err.message, /layer "conv1_conv"/);
      assert.match(err.message, /\[3, 3, 3, 4\] in the file but \[3, 3, 3, 2\] in the model/);
      assert.match(err.message, /mismatch\.h5/);
      return true;
    });
    assert.deepEqual(weightOf(model, "conv1_conv", "kernel"), kernelBefore);
    assert.deepEqual(weightOf(model, "conv1_bn", "gamma"), bnBefore, "no partial load before the error");

    const report = await loadKerasH5Weights(model, file, { skipMismatch: true });
    assert.deepEqual(report.loaded, ["conv1_bn"]);
    assert.equal(report.mismatched.length, 1);
    assert.match(report.mismatched[0], /conv1_conv/);
    assert.deepEqual(weightOf(model, "conv1_conv", "kernel"), kernelBefore);
    assert.deepEqual(weightOf(model, "conv1_bn", "gamma"), GAMMA);
    model.dispose();
  });

  test("filter restricts which layers load", async () => {
    const file = path.join(dir, "filter.h5");
    await writeKerasH5(file, fileLayers());
    const model = smallModel();
    const report = await loadKerasH5Weights(model, file, { filter: (n) => n.endsWith("_bn") });
    assert.deepEqual(report.loaded, ["conv1_bn"]);
    assert.deepEqual(report.missing, []);
    model.dispose();
  });

  test("clear errors for a missing file and a non-Keras HDF5 file", async () => {
    const model = smallModel();
    await assert.rejects(loadKerasH5Weights(model, path.join(dir, "nope.h5")), /not found: .*nope\.h5/);
    const file = path.join(dir, "plain.h5");
    const h5 = await loadH5wasm();
    const f = new h5.File(file, "w");
    f.create_dataset({ name: "data", data: new Float32Array([1, 2, 3]) });
    f.close();
    await assert.rejects(loadKerasH5Weights(model, file), /no "layer_names" attribute/);
    fs.writeFileSync(path.join(dir, "text.h5"), "not hdf5");
    await assert.rejects(loadKerasH5Weights(model, path.join(dir, "text.h5")), /text\.h5/);
    model.dispose();
  });

  test("round trip of a whole resnet18 written in the Keras layout", async () => {
    const source = createModel("resnet18", { inputShape: [32, 32, 3], classes: 3, seed: 1 });
    const target = createModel("resnet18", { inputShape: [32, 32, 3], classes: 3, seed: 2 });
    const file = path.join(dir, "resnet18.h5");
    const layers: LayerSpec[] = source.layers.map((l) => ({
      name: l.name,
      weights: l.weights.map((w) => ({
        name: w.originalName.split("/").pop() as string,
        shape: w.shape as number[],
        data: w.read().dataSync() as Float32Array,
      })),
    }));
    await writeKerasH5(file, layers);
    const report = await loadKerasH5Weights(target, file);
    assert.equal(report.loaded.length, source.layers.filter((l) => l.weights.length > 0).length);
    assert.deepEqual(report.missing, []);
    assert.deepEqual(report.unexpected, []);
    const a = source.weights;
    const b = target.weights;
    for (let i = 0; i < a.length; i++) assert.deepEqual(b[i].read().dataSync(), a[i].read().dataSync(), a[i].originalName);
    source.dispose();
    target.dispose();
  });

  test("ImageNet ResNet50 notop weights load fully when present (skipped otherwise)", async (t) => {
    const file = findPretrainedWeights();
    if (!file) return t.skip(`no ${RESNET50_NOTOP_FILE} in outputs/models/pretrained`);
    await tf.setBackend("cpu");
    const model = createModel("resnet50", { inputShape: [32, 32, 3], classes: 4, seed: 1 });
    const report = await loadKerasH5Weights(model, file);
    assert.equal(report.loaded.length, 106, "53 conv + 53 BN layers");
    assert.deepEqual(report.missing, ["head_predictions"]);
    assert.deepEqual(report.unexpected, []);
    model.dispose();
  });
});

describe("findPretrainedWeights", () => {
  test("undefined when absent, the file when present, env var first", () => {
    const root = fs.mkdtempSync(path.join(dir, "root-"));
    const paths = projectPaths(root, {});
    assert.equal(findPretrainedWeights(paths, {}), undefined);
    const local = path.join(paths.models, "pretrained", RESNET50_NOTOP_FILE);
    fs.mkdirSync(path.dirname(local), { recursive: true });
    fs.writeFileSync(local, "");
    assert.equal(findPretrainedWeights(paths, {}), local);
    const other = path.join(root, "elsewhere.h5");
    fs.writeFileSync(other, "");
    assert.equal(findPretrainedWeights(paths, { STEEL_RESNET50_WEIGHTS: other }), other);
    assert.equal(findPretrainedWeights(paths, { STEEL_RESNET50_WEIGHTS: "elsewhere.h5" }), other, "relative to the root");
    assert.throws(
      () => findPretrainedWeights(paths, { STEEL_RESNET50_WEIGHTS: path.join(root, "missing.h5") }),
      /STEEL_RESNET50_WEIGHTS points to .*missing\.h5/,
    );
  });
});

describe("kerasResNetPreprocess", () => {
  test("RGB [0, 1] → caffe BGR 0–255 minus the ImageNet mean; grey is repeated", () => {
    const rgb = tf.tensor4d([1, 0.5, 0], [1, 1, 1, 3]);
    const out = kerasResNetPreprocess(rgb).dataSync();
    const expected = [0 - 103.939, 127.5 - 116.779, 255 - 123.68];
    expected.forEach((e, i) => assert.ok(Math.abs(out[i] - e) < 1e-3, `${out[i]} vs ${e}`));
    const grey = kerasResNetPreprocess(tf.tensor4d([0.2], [1, 1, 1, 1])).dataSync();
    [51 - 103.939, 51 - 116.779, 51 - 123.68].forEach((e, i) => assert.ok(Math.abs(grey[i] - e) < 1e-3));
    assert.throws(() => kerasResNetPreprocess(tf.zeros([1, 1, 1, 2]) as tf.Tensor4D), /1 or 3 channels/);
    rgb.dispose();
  });
});
