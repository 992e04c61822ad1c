/**
 * The native (oneDNN) kernels of the wasm backend against the cpu backend: forward convs
 * (plain, bias + ReLU fused), input and filter gradients over the shared case grid, the
 * laid-out filter cache across weight updates, hand-offs to the wasm kernels, a whole model's
 * gradients, and the fused AdamW update (bit-identical to the tfjs composite).
 *
 * Skipped when the addon is not built (`make native`), except with STEEL_NATIVE_REQUIRED=1
 * (CI builds it, so there a missing addon fails instead of skipping).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { counts, randomHost, relErr, runOn, setupWasm, type HostTensor } from "./helpers";
import { backpropFilter, backpropInput, cases, explicitPads, filterReference, inputReference, label, outShape, TOL, type Case } from "./conv-reference";
import {
  ADAMW_KERNEL,
  convGeometry,
  loadNativeConvAddon,
  nativeBatchNormStats,
  nativeConvStats,
  nativeParams,
  registeredNativeKernels,
  registerWasmTrainingKernels,
  setNativeEnabled,
  type NativeConvAddon,
} from "../../src/lib/engine/index";
import { AdamW } from "../../src/lib/train/optimizers/adamw";
import { checkFusedBatchNormAgainstCpu } from "./batch-norm-reference";

const loaded = loadNativeConvAddon();
const required = process.env.STEEL_NATIVE_REQUIRED === "1";
const skip = loaded.addon || required ? false : `native addon not built: ${loaded.reason}`;

async function setupNative(): Promise<NativeConvAddon> {
  const addon = loaded.addon;
  if (!addon) throw new Error(`STEEL_NATIVE_REQUIRED=1 but ${loaded.reason}`);
  await setupWasm();
  registerWasmTrainingKernels({ native: addon });
  setNativeEnabled(true);
  return addon;
}

/** Runs `f` on wasm and asserts the native path served at least `min` kernel calls. */
async function onNative(inputs: Record<string, HostTensor>, f: (t: Record<string, tf.Tensor>) => tf.Tensor | tf.Tensor[], min = 1): Promise<Float32Array[]> {
  const before = nativeConvStats.native;
  const out = await runOn("wasm", inputs, f);
  assert.ok(nativeConvStats.native - before >= min, `expected ≥ ${min} native calls, got ${nativeConvStats.native - before}`);
  return out;
}

function forward(t: Record<string, tf.Tensor>, c: Case, pad: Case["pad"], bias?: tf.Tensor, relu = false): tf.Tensor {
  return tf.fused.conv2d({
    x: t.x as tf.Tensor4D,
    filter: t.w as tf.Tensor4D,
    strides: c.s,
    pad: pad as "same",
    dilations: c.d,
    bias,
    activation: relu ? "relu" : "linear",
  });
}

/** cpu reference of the forward conv (explicit padding applied to x first, see conv-reference.ts). */
async function forwardReference(c: Case, x: HostTensor, w: HostTensor, b?: HostTensor, relu = false): Promise<Float32Array> {
  const pads = explicitPads(c.pad);
  const [y] = await runOn("cpu", { x, w, ...(b ? { b } : {}) }, (t) => {
    const xp = pads ? t.x.pad([[0, 0], pads[0], pads[1], [0, 0]]) : t.x;
    return forward({ x: xp, w: t.w }, c, pads ? "valid" : c.pad, t.b, relu);
  });
  return y;
}

test("native forward conv matches cpu (plain, and with bias + ReLU fused)", { skip }, async () => {
  await setupNative();
  const all = cases();
  assert.ok(all.length >= 50, `grid has ${all.length} cases`);
  for (const c of all) {
    const x = randomHost([c.N, c.H, c.W, c.C], 5, label(c) + "/x");
    const w = randomHost([c.k, c.k, c.C, c.CO], 5, label(c) + "/w");
    const b = randomHost([c.CO], 5, label(c) + "/b");
    const [plain] = await onNative({ x, w }, (t) => forward(t, c, c.pad));
    assert.ok(relErr(plain, await forwardReference(c, x, w)) <= TOL, `${label(c)} plain`);
    const [fused] = await onNative({ x, w, b }, (t) => forward(t, c, c.pad, t.b, true));
    const ref = await forwardReference(c, x, w, b, true);
    assert.ok(relErr(fused, ref) <= TOL, `${label(c)} bias+relu: rel err ${relErr(fused, ref)}`);
    assert.ok(fused.every((v) => v >= 0), `${label(c)}: ReLU output has negatives`);
  }
});

test("native input and filter gradients match cpu", { skip }, async () => {
  await setupNative();
  for (const c of cases()) {
    const x = randomHost([c.N, c.H, c.W, c.C], 6, label(c) + "/x");
    const dy = randomHost(outShape(c), 6, label(c) + "/dy");
    const w = randomHost([c.k, c.k, c.C, c.CO], 6, label(c) + "/w");
    const [dw] = await onNative({ x, dy }, (t) => backpropFilter(t, c, c.pad, [c.k, c.k, c.C, c.CO], c.d));
    const errW = relErr(dw, await filterReference(c, x, dy));
    assert.ok(errW <= TOL, `${label(c)} dW: rel err ${errW}`);
    // tfjs' Conv2DBackpropInput takes no dilation: those cases go to the wasm kernel (tested there).
    if (c.d > 1) continue;
    const [dx] = await onNative({ dy, w }, (t) => backpropInput(t, c, c.pad, [c.N, c.H, c.W, c.C], 1));
    const errX = relErr(dx, await inputReference(c, dy, w));
    assert.ok(errX <= TOL, `${label(c)} dx: rel err ${errX}`);
  }
});

test("laid-out filters are re-used per filter tensor and never stale (10 same-shaped filters, LRU of 8)", { skip }, async () => {
  await setupNative();
  const c: Case = { N: 2, H: 7, W: 9, C: 8, CO: 16, k: 3, s: 1, d: 1, pad: "same" };
  const x = randomHost([c.N, c.H, c.W, c.C], 7, "x");
  const filters = Array.from({ length: 10 }, (_, i) => randomHost([3, 3, 8, 16], 7, `w${i}`));
  const refs = await Promise.all(filters.map((w) => forwardReference(c, x, w)));
  await tf.setBackend("wasm");
  const xt = tf.tensor(x.data, x.shape);
  const ws = filters.map((w) => tf.tensor(w.data, w.shape));
  // Two rounds in different orders: hits, misses and evictions, always the right filter.
  for (const order of [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [9, 0, 8, 1, 7, 2, 6, 3, 5, 4, 0, 0]]) {
    for (const i of order) {
      const y = forward({ x: xt, w: ws[i] }, c, c.pad);
      assert.ok(relErr(y.dataSync(), refs[i]) <= TOL, `filter ${i}`);
      y.dispose();
    }
  }
  // A weight update makes a new tensor (new id): the next forward must use the new values.
  const updated = tf.tidy(() => ws[0].mul(-2));
  const y = forward({ x: xt, w: updated }, c, c.pad);
  const expected = refs[0].map((v) => -2 * v);
  assert.ok(relErr(y.dataSync(), expected) <= TOL, "updated filter");
  tf.dispose([xt, ...ws, updated, y]);
});

test("calls oneDNN does not cover go to the wasm kernel and still match cpu", { skip }, async () => {
  await setupNative();
  const c: Case = { N: 2, H: 8, W: 8, C: 4, CO: 6, k: 3, s: 2, d: 1, pad: "same" };
  const x = randomHost([c.N, c.H, c.W, c.C], 8, "x");
  const w = randomHost([3, 3, 4, 6], 8, "w");
  const b = randomHost([6], 8, "b");
  const leaky = (t: Record<string, tf.Tensor>) =>
    tf.fused.conv2d({ x: t.x as tf.Tensor4D, filter: t.w as tf.Tensor4D, strides: 2, pad: "same", bias: t.b, activation: "leakyrelu", leakyreluAlpha: 0.1 });
  const before = { ...nativeConvStats };
  const [ours] = await runOn("wasm", { x, w, b }, leaky);
  const [ref] = await runOn("cpu", { x, w, b }, leaky);
  assert.ok(relErr(ours, ref) <= TOL, `leaky relu: ${relErr(ours, ref)}`);
  assert.equal(nativeConvStats.native, before.native, "leaky ReLU must not run natively");
  assert.ok(nativeConvStats.fallback > before.fallback);
});

test("native kernels leak no tensors or wasm buffers, and reject operands outside the heap", { skip }, async () => {
  const addon = await setupNative();
  await tf.setBackend("wasm");
  const x = tf.randomNormal([2, 10, 10, 8], 0, 1, "float32", 1);
  const w = tf.randomNormal([3, 3, 8, 8], 0, 1, "float32", 2);
  const b = tf.randomNormal([8], 0, 1, "float32", 3);
  const grad = tf.grads((xx, ww) => tf.fused.conv2d({ x: xx as tf.Tensor4D, filter: ww as tf.Tensor4D, bias: b, strides: 1, pad: "same", activation: "relu" }).sum());
  const step = () => tf.dispose(grad([x, w]));
  step();
  const before = counts();
  for (let i = 0; i < 5; i++) step();
  assert.deepEqual(counts(), before);
  const g = convGeometry([2, 10, 10, 8], [3, 3, 8, 8], 1, "same");
  const heap = new Uint8Array(1024);
  assert.throws(() => addon.conv(0, heap, nativeParams(g, 0, 0, -1, 0, false)), /outside the heap/);
  tf.dispose([x, w, b]);
});

test("a model's gradients with native convs match cpu (ResNet bottleneck, BN in training mode)", { skip }, async () => {
  await setupNative();
  const L = tf.layers;
  const build = () => {
    const input = tf.input({ shape: [12, 12, 8] });
    const conv = (t: tf.SymbolicTensor, f: number, k: number, s = 1) =>
      L.conv2d({ filters: f, kernelSize: k, strides: s, padding: "same", useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: f * 10 + k }) }).apply(t) as tf.SymbolicTensor;
    const bnRelu = (t: tf.SymbolicTensor) => L.reLU().apply(L.batchNormalization().apply(t) as tf.SymbolicTensor) as tf.SymbolicTensor;
    let y = bnRelu(conv(input, 4, 1));
    y = bnRelu(conv(y, 4, 3, 2));
    y = L.batchNormalization().apply(conv(y, 16, 1)) as tf.SymbolicTensor;
    const sc = L.batchNormalization().apply(conv(input, 16, 1, 2)) as tf.SymbolicTensor;
    const out = L.reLU().apply(L.add().apply([y, sc]) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const logits = L.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }) }).apply(L.globalAveragePooling2d({}).apply(out) as tf.SymbolicTensor) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: logits });
  };
  const x = randomHost([3, 12, 12, 8], 9, "x");
  const grads: Record<string, Float32Array[]> = {};
  for (const be of ["cpu", "wasm"] as const) {
    await tf.setBackend(be);
    const model = build();
    const xt = tf.tensor(x.data, x.shape);
    const y = tf.oneHot(tf.tensor1d([0, 2, 1], "int32"), 3);
    const before = nativeConvStats.native;
    const { grads: g, value } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(xt, { training: true }) as tf.Tensor) as tf.Scalar);
    if (be === "wasm") assert.ok(nativeConvStats.native - before >= 12, "4 convs × (forward, dx, dW) should run natively");
    grads[be] = model.trainableWeights.map((w) => g[w.originalName ?? w.name]?.dataSync() as Float32Array);
    tf.dispose([xt, y, value, ...Object.values(g)]);
    model.layers.forEach((l) => l.dispose());
  }
  const total = Math.sqrt(grads.cpu.reduce((s, a) => s + a.reduce((t, v) => t + v * v, 0), 0));
  grads.cpu.forEach((ref, i) => {
    const ours = grads.wasm[i];
    let num = 0;
    let den = 0;
    for (let j = 0; j < ref.length; j++) {
      num += (ours[j] - ref[j]) ** 2;
      den += ref[j] ** 2;
    }
    const err = Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-3 * total);
    assert.ok(err <= 1e-3, `variable ${i}: rel err ${err}`);
  });
});

test("fused AdamW gives the same bits as the tfjs composite, and follows the formula", { skip }, async () => {
  await setupNative();
  assert.ok(registeredNativeKernels().includes(ADAMW_KERNEL));
  await tf.setBackend("wasm");
  const shape = [3, 70_001]; // odd size, above the threading threshold of the native loop
  const p0 = randomHost(shape, 10, "p");
  const grads = [randomHost(shape, 10, "g1"), randomHost(shape, 10, "g2"), randomHost(shape, 10, "g3")];
  const run = (fused: boolean): Float32Array => {
    setNativeEnabled(fused);
    try {
      const p = tf.variable(tf.tensor(p0.data, p0.shape), true, `adamw_${fused}`);
      const opt = new AdamW(3e-3, 0.05);
      const before = counts();
      for (const g of grads) {
        const gt = tf.tensor(g.data, g.shape);
        opt.applyGradients([{ name: p.name, tensor: gt }]);
        gt.dispose();
      }
      const out = p.dataSync().slice() as Float32Array;
      // First step creates m and v (2 tensors); later steps add none.
      assert.equal(counts().tensors - before.tensors, 2);
      opt.dispose();
      p.dispose();
      return out;
    } finally {
      setNativeEnabled(true);
    }
  };
  const fused = run(true);
  const composite = run(false);
  assert.deepEqual(fused, composite);
  // Independent check: the AdamW formula in float64 on element 12345.
  const i = 12345;
  let p = p0.data[i];
  let m = 0;
  let v = 0;
  grads.forEach((g, k) => {
    const t = k + 1;
    p *= 1 - 3e-3 * 0.05;
    m = 0.9 * m + 0.1 * g.data[i];
    v = 0.999 * v + 0.001 * g.data[i] ** 2;
    p -= ((3e-3 / (1 - 0.9 ** t)) * m) / (Math.sqrt(v) / Math.sqrt(1 - 0.999 ** t) + 1e-8);
  });
  assert.ok(Math.abs(fused[i] - p) <= 1e-6 * Math.max(1, Math.abs(p)), `element ${i}: ${fused[i]} vs ${p}`);
});

test("the fused training batch norm on the addon's passes matches cpu", { skip }, async () => {
  await setupNative();
  const before = nativeBatchNormStats.passes;
  await checkFusedBatchNormAgainstCpu();
  assert.ok(nativeBatchNormStats.passes - before >= 4 * 3, `the addon's batch-norm sums ran ${nativeBatchNormStats.passes - before} times`);
});

test("strided 1x1 convs (ResNet projections): forward, dx and dW stay exact over repeated calls", { skip }, async () => {
  // oneDNN's own strided 1x1 path gave wrong filter gradients intermittently with 2 threads;
  // the addon runs these on the subsampled grid instead (see runStridedPointwise).
  await setupNative();
  for (const [i, c] of ([
    { N: 3, H: 12, W: 12, C: 8, CO: 16, k: 1, s: 2, d: 1, pad: "same" },
    { N: 2, H: 13, W: 11, C: 32, CO: 64, k: 1, s: 2, d: 1, pad: "valid" },
  ] as Case[]).entries()) {
    const x = randomHost([c.N, c.H, c.W, c.C], 11, `sp${i}/x`);
    const w = randomHost([1, 1, c.C, c.CO], 11, `sp${i}/w`);
    const dy = randomHost(outShape(c), 11, `sp${i}/dy`);
    const [yRef, dwRef, dxRef] = [await forwardReference(c, x, w), await filterReference(c, x, dy), await inputReference(c, dy, w)];
    for (let rep = 0; rep < 8; rep++) {
      const [y] = await onNative({ x, w }, (t) => forward(t, c, c.pad));
      const [dw] = await onNative({ x, dy }, (t) => backpropFilter(t, c, c.pad, [1, 1, c.C, c.CO], 1));
      const [dx] = await onNative({ dy, w }, (t) => backpropInput(t, c, c.pad, [c.N, c.H, c.W, c.C], 1));
      assert.ok(relErr(y, yRef) <= TOL, `${label(c)} rep ${rep}: forward ${relErr(y, yRef)}`);
      assert.ok(relErr(dw, dwRef) <= TOL, `${label(c)} rep ${rep}: dW ${relErr(dw, dwRef)}`);
      assert.ok(relErr(dx, dxRef) <= TOL, `${label(c)} rep ${rep}: dx ${relErr(dx, dxRef)}`);
    }
  }
});
