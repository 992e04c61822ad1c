/**
 * Conv2DBackpropFilter / Conv2DBackpropInput on wasm (our kernels) against the cpu backend's
 * kernels, over batch sizes, kernel sizes, strides, paddings and dilations.
 * References are computed on cpu in a form that needs no trust in the cases under test:
 *  - numeric / explicit padding: pad x explicitly, then the "valid" cpu kernel (the cpu
 *    kernels mis-index asymmetric explicit padding);
 *  - dilation > 1 (tfjs' conv gradients reject it): the cpu kernel on the equivalent
 *    zero-inserted (expanded) filter.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { onBothBackends, randomHost, relErr, runOn } from "./helpers";
import { backpropFilter, backpropInput, cases, filterReference, inputReference, label, outShape, TOL } from "./conv-reference";
import { convGeometry } from "../../src/lib/engine/index";
import { DEFAULT_FILTER_GRAD_TUNING, filterGradNHWC } from "../../src/lib/engine/kernels/Conv2DBackpropFilter";
import { checkWasmInternals, WasmScope } from "../../src/lib/engine/wasm/scope";

test("Conv2DBackpropFilter (wasm) matches the cpu kernel", async () => {
  const all = cases();
  assert.ok(all.length >= 50, `grid has ${all.length} cases`);
  for (const c of all) {
    const x = randomHost([c.N, c.H, c.W, c.C], 1, label(c) + "/x");
    const dy = randomHost(outShape(c), 1, label(c) + "/dy");
    const [ours] = await runOn("wasm", { x, dy }, (t) => backpropFilter(t, c, c.pad, [c.k, c.k, c.C, c.CO], c.d));
    const err = relErr(ours, await filterReference(c, x, dy));
    assert.ok(err <= TOL, `${label(c)}: rel err ${err}`);
  }
});

test("the XNNPACK fallback of the filter gradient (engines without wasm SIMD) matches cpu", async () => {
  const tuning = { ...DEFAULT_FILTER_GRAD_TUNING, useSimd: false, minPanelRows: 16, maxPanelRows: 64 }; // small panels: several per image
  const all = cases().filter((c) => c.d === 1);
  for (const c of all) {
    const x = randomHost([c.N, c.H, c.W, c.C], 3, label(c) + "/x");
    const dy = randomHost(outShape(c), 3, label(c) + "/dy");
    const [ours] = await runOn("wasm", { x, dy }, (t) => {
      const scope = new WasmScope(checkWasmInternals(tf.backend()));
      try {
        const g = convGeometry(t.x.shape, [c.k, c.k, c.C, c.CO], c.s, c.pad);
        const info = scope.keep(filterGradNHWC(scope, t.x, t.dy, g, tuning));
        return tf.engine().makeTensorFromTensorInfo(info);
      } finally {
        scope.dispose();
      }
    });
    const err = relErr(ours, await filterReference(c, x, dy));
    assert.ok(err <= TOL, `${label(c)}: rel err ${err}`);
  }
});

test("Conv2DBackpropInput (wasm) matches the cpu kernel", async () => {
  for (const c of cases()) {
    const dy = randomHost(outShape(c), 2, label(c) + "/dy");
    const w = randomHost([c.k, c.k, c.C, c.CO], 2, label(c) + "/w");
    const [ours] = await runOn("wasm", { dy, w }, (t) => backpropInput(t, c, c.pad, [c.N, c.H, c.W, c.C], c.d));
    const err = relErr(ours, await inputReference(c, dy, w));
    assert.ok(err <= TOL, `${label(c)}: rel err ${err}`);
  }
});

test("the backward kernels free every intermediate (tensors and wasm buffers)", async () => {
  for (const c of cases().filter((_, i) => i % 7 === 0)) {
    const x = randomHost([c.N, c.H, c.W, c.C], 4, "x");
    const dy = randomHost(outShape(c), 4, "dy");
    const w = randomHost([c.k, c.k, c.C, c.CO], 4, "w");
    const r = await onBothBackends({ x, dy, w }, (t) => [
      backpropFilter(t, c, c.pad, [c.k, c.k, c.C, c.CO], 1),
      backpropInput(t, c, c.pad, [c.N, c.H, c.W, c.C], 1),
    ]);
    assert.deepEqual(r.leaked, { tensors: 0, dataIds: 0 }, `leak in ${label(c)}`);
  }
});

test("conv gradients through tf.grad agree with cpu, NCHW filter gradient included", async () => {
  const x = randomHost([2, 10, 9, 4], 3, "x");
  const w = randomHost([3, 3, 4, 6], 3, "w");
  const r = await onBothBackends({ x, w }, (t) => {
    const f = (xx: tf.Tensor, ww: tf.Tensor) => tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, "same").square().sum();
    const [gx, gw] = tf.grads(f)([t.x, t.w]);
    const xNCHW = t.x.transpose([0, 3, 1, 2]);
    const dyNCHW = tf.ones([2, 6, 8, 7]);
    const gwNCHW = tf.engine().runKernel("Conv2DBackpropFilter", { x: xNCHW, dy: dyNCHW }, {
      strides: 1,
      pad: "valid",
      dataFormat: "NCHW",
      dimRoundingMode: undefined,
      filterShape: [3, 3, 4, 6],
    } as unknown as tf.NamedAttrMap) as tf.Tensor;
    return [gx, gw, gwNCHW];
  });
  for (let i = 0; i < 3; i++) assert.ok(relErr(r.wasm[i], r.cpu[i]) <= TOL, `output ${i}: ${relErr(r.wasm[i], r.cpu[i])}`);
  assert.deepEqual(r.leaked, { tensors: 0, dataIds: 0 });
});
