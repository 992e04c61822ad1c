/**
 * Whole-model gradients on wasm (our kernels) against the cpu backend: same weights, same
 * inputs, BatchNormalization in training mode; every trainable variable's gradient compared.
 *
 * Error per variable: ||wasm - cpu|| / max(||cpu||, 1e-3 · ||all cpu gradients||). The floor
 * matters for conv biases feeding a BatchNorm, whose exact gradient is 0 (BN removes the
 * mean), so both backends return rounding noise there.
 * The U-Net block runs with batch 1: the cpu backend's ResizeNearestNeighborGrad (tfjs 4.22)
 * mis-indexes dy for batch > 1, so it is no reference there (other-kernels.test.ts checks our
 * kernel against an independent adjoint reference at batch 2).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { randomHost, relErr, setupWasm, type HostTensor } from "./helpers";

type Sym = tf.SymbolicTensor;
const L = tf.layers;

function conv(x: Sym, filters: number, k: number, strides = 1, useBias = false): Sym {
  return L.conv2d({ filters, kernelSize: k, strides, padding: "same", useBias, kernelInitializer: "glorotUniform" }).apply(x) as Sym;
}
function bnRelu(x: Sym): Sym {
  return L.reLU().apply(L.batchNormalization().apply(x) as Sym) as Sym;
}
function head(x: Sym, units: number): Sym {
  return L.dense({ units }).apply(L.globalAveragePooling2d({}).apply(x) as Sym) as Sym;
}

/** 3 x [Conv3x3 (bias) -> BN -> ReLU -> MaxPool2], GAP, Dense. */
function simpleCnn(): tf.LayersModel {
  const input = tf.input({ shape: [16, 16, 3] });
  let x: Sym = input;
  for (const c of [4, 8, 8]) x = L.maxPooling2d({ poolSize: 2 }).apply(bnRelu(conv(x, c, 3, 1, true))) as Sym;
  return tf.model({ inputs: input, outputs: head(x, 5) });
}

/** ResNet bottleneck with a strided 1x1 projection shortcut. */
function bottleneck(): tf.LayersModel {
  const input = tf.input({ shape: [12, 12, 8] });
  let y = bnRelu(conv(input, 4, 1));
  y = bnRelu(conv(y, 4, 3, 2));
  y = L.batchNormalization().apply(conv(y, 16, 1)) as Sym;
  const sc = L.batchNormalization().apply(conv(input, 16, 1, 2)) as Sym;
  const out = L.reLU().apply(L.add().apply([y, sc]) as Sym) as Sym;
  return tf.model({ inputs: input, outputs: head(out, 3) });
}

/** Down conv, max-pool, conv, nearest up-sampling and a transposed conv, concat with the skip, conv. */
function unetBlock(): tf.LayersModel {
  const input = tf.input({ shape: [16, 16, 3] });
  const skip = bnRelu(conv(input, 4, 3));
  let d = L.maxPooling2d({ poolSize: 2 }).apply(skip) as Sym;
  d = bnRelu(conv(d, 8, 3));
  const up = L.upSampling2d({ size: [2, 2] }).apply(d) as Sym;
  const upT = L.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: "same" }).apply(d) as Sym;
  let u = L.concatenate().apply([up, upT, skip]) as Sym;
  u = bnRelu(conv(u, 4, 3));
  return tf.model({ inputs: input, outputs: conv(u, 1, 1, 1, true) });
}

interface Built {
  names: string[];
  grads: Float32Array[];
  loss: number;
}

/** Builds `make` on `backend` with `weights`, returns d(loss)/d(every trainable variable). */
async function gradsOn(
  backend: "cpu" | "wasm",
  make: () => tf.LayersModel,
  weights: HostTensor[] | undefined,
  x: HostTensor,
  target: HostTensor,
  kind: "softmax" | "sigmoid",
): Promise<Built & { weights: HostTensor[] }> {
  await tf.setBackend(backend);
  const model = make();
  if (weights) {
    const ts = weights.map((w) => tf.tensor(w.data, w.shape));
    model.setWeights(ts);
    tf.dispose(ts);
  }
  // getWeights() returns the variables themselves: read, never dispose.
  const host = model.getWeights().map((w) => ({ shape: w.shape, data: w.dataSync() as Float32Array }));
  const xs = tf.tensor(x.data, x.shape);
  const ys = tf.tensor(target.data, target.shape);
  const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const { value, grads } = tf.variableGrads(() => {
    const out = model.apply(xs, { training: true }) as tf.Tensor;
    return (kind === "softmax" ? tf.losses.softmaxCrossEntropy(ys, out) : tf.losses.sigmoidCrossEntropy(ys, out)) as tf.Scalar;
  }, vars);
  const names = vars.map((v) => v.name);
  const out: Built = { names, grads: names.map((n) => grads[n].dataSync() as Float32Array), loss: value.dataSync()[0] };
  tf.dispose([value, xs, ys, ...Object.values(grads)]);
  model.dispose();
  return { ...out, weights: host };
}

async function compare(make: () => tf.LayersModel, xShape: number[], yShape: number[], kind: "softmax" | "sigmoid", tag: string) {
  await setupWasm();
  const x = randomHost(xShape, 21, `${tag}/x`);
  const y =
    kind === "softmax"
      ? { shape: yShape, data: Float32Array.from({ length: yShape[0] * yShape[1] }, (_, i) => (i % yShape[1] === (Math.floor(i / yShape[1]) * 2) % yShape[1] ? 1 : 0)) }
      : { shape: yShape, data: randomHost(yShape, 21, `${tag}/y`, [0, 1]).data.map((v) => (v > 0.5 ? 1 : 0)) };
  const cpu = await gradsOn("cpu", make, undefined, x, y, kind);
  const before = tf.memory().numTensors;
  const wasm = await gradsOn("wasm", make, cpu.weights, x, y, kind);
  assert.equal(tf.memory().numTensors, before, `${tag}: tensors leaked on wasm`);
  assert.equal(wasm.grads.length, cpu.grads.length);
  assert.ok(Math.abs(wasm.loss - cpu.loss) <= 1e-5 * Math.max(1, Math.abs(cpu.loss)), `${tag}: loss ${wasm.loss} vs ${cpu.loss}`);
  let worst = 0;
  let total = 0;
  for (const g of cpu.grads) for (const v of g) total += v * v;
  const floor = 1e-3 * Math.sqrt(total);
  for (let i = 0; i < cpu.grads.length; i++) {
    let norm = 0;
    for (const v of cpu.grads[i]) norm += v * v;
    const e = (relErr(wasm.grads[i], cpu.grads[i]) * Math.sqrt(norm)) / Math.max(Math.sqrt(norm), floor);
    worst = Math.max(worst, e);
    assert.ok(e <= 1e-4, `${tag}: gradient of variable #${i} (${cpu.names[i]}) rel err ${e}`);
  }
  return worst;
}

test("SimpleCNN gradients (conv+BN+ReLU+MaxPool x3, GAP, dense) match cpu", async () => {
  await compare(simpleCnn, [2, 16, 16, 3], [2, 5], "softmax", "simplecnn");
});

test("ResNet bottleneck with strided projection shortcut: gradients match cpu", async () => {
  await compare(bottleneck, [2, 12, 12, 8], [2, 3], "softmax", "bottleneck");
});

test("U-Net block (down conv, up-sampling + transposed conv, concat, conv): gradients match cpu", async () => {
  await compare(unetBlock, [1, 16, 16, 3], [1, 16, 16, 1], "sigmoid", "unet");
});
