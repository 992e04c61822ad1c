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
import { onBothBackends, randomHost, relErr, runOn, type HostTensor } from "./helpers";
import { DEFAULT_FILTER_GRAD_TUNING, filterGradNHWC } from "../../src/lib/engine/conv2d-backprop-filter";
import { convGeometry } from "../../src/lib/engine/conv-geometry";
import { checkWasmInternals, WasmScope } from "../../src/lib/engine/wasm-scope";

type Pad = "same" | "valid" | number | tf.backend_util.ExplicitPadding;

interface Case {
  N: number;
  H: number;
  W: number;
  C: number;
  CO: number;
  k: number;
  s: number;
  d: number;
  pad: Pad;
}

const PADS: Pad[] = ["same", "valid", 1, [[0, 0], [1, 2], [2, 0], [0, 0]]];

function cases(): Case[] {
  const out: Case[] = [];
  const sizes = [
    { N: 1, H: 9, W: 8, C: 3, CO: 4 },
    { N: 3, H: 11, W: 10, C: 6, CO: 5 },
  ];
  for (const sz of sizes) {
    for (const k of [1, 3, 7]) {
      for (const [s, d] of [[1, 1], [2, 1], [1, 2]] as Array<[number, number]>) {
        for (const pad of PADS) {
          const ke = (k - 1) * d + 1;
          if (pad === "valid" && ke > Math.min(sz.H, sz.W)) continue;
          if (d > 1 && k === 1) continue;
          const c = { ...sz, k, s, d, pad };
          if (outShape(c).some((v) => v <= 0)) continue;
          out.push(c);
        }
      }
    }
  }
  return out;
}

function label(c: Case): string {
  return `N${c.N} ${c.H}x${c.W}x${c.C}->${c.CO} k${c.k} s${c.s} d${c.d} pad ${JSON.stringify(c.pad)}`;
}

/** Output shape of the forward conv (computed by tfjs' own shape logic). */
function outShape(c: Case): number[] {
  const info = tf.backend_util.computeConv2DInfo([c.N, c.H, c.W, c.C], [c.k, c.k, c.C, c.CO], c.s, c.d, c.pad);
  return info.outShape;
}

/** [k,k,C,CO] filter → the equivalent undilated filter with (d-1) zeros between taps. */
function expandFilter(w: HostTensor, d: number): HostTensor {
  const [k, , C, CO] = w.shape;
  const ke = (k - 1) * d + 1;
  const data = new Float32Array(ke * ke * C * CO);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++)
      data.set(w.data.subarray((i * k + j) * C * CO, (i * k + j + 1) * C * CO), (i * d * ke + j * d) * C * CO);
  return { shape: [ke, ke, C, CO], data };
}

/** Taps (i·d, j·d) of an expanded-filter gradient → the dilated filter's gradient. */
function subsampleFilter(g: Float32Array, k: number, d: number, C: number, CO: number): Float32Array {
  const ke = (k - 1) * d + 1;
  const out = new Float32Array(k * k * C * CO);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) out.set(g.subarray((i * d * ke + j * d) * C * CO, (i * d * ke + j * d + 1) * C * CO), (i * k + j) * C * CO);
  return out;
}

const TOL = 1e-4;

/** [[top, bottom], [left, right]] of a numeric / explicit pad; undefined for same/valid. */
function explicitPads(pad: Pad): [[number, number], [number, number]] | undefined {
  if (typeof pad === "number") return [[pad, pad], [pad, pad]];
  if (Array.isArray(pad)) return [pad[1] as [number, number], pad[2] as [number, number]];
  return undefined;
}

function backpropFilter(t: Record<string, tf.Tensor>, c: Case, pad: Pad, filterShape: number[], dilations: number): tf.Tensor {
  return tf.engine().runKernel("Conv2DBackpropFilter", { x: t.x, dy: t.dy }, {
    strides: c.s,
    pad,
    dataFormat: "NHWC",
    dimRoundingMode: undefined,
    filterShape,
    ...(dilations > 1 ? { dilations } : {}),
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

function backpropInput(t: Record<string, tf.Tensor>, c: Case, pad: Pad, inputShape: number[], dilations: number): tf.Tensor {
  return tf.engine().runKernel("Conv2DBackpropInput", { dy: t.dy, filter: t.w }, {
    strides: c.s,
    pad,
    dataFormat: "NHWC",
    dimRoundingMode: undefined,
    inputShape,
    ...(dilations > 1 ? { dilations } : {}),
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** cpu reference of dW for case c (see file comment). */
async function filterReference(c: Case, x: HostTensor, dy: HostTensor): Promise<Float32Array> {
  const ke = (c.k - 1) * c.d + 1;
  const pads = explicitPads(c.pad);
  const [g] = await runOn("cpu", { x, dy }, (t) => {
    const xp = pads ? t.x.pad([[0, 0], pads[0], pads[1], [0, 0]]) : t.x;
    return backpropFilter({ x: xp, dy: t.dy }, c, pads ? "valid" : c.pad, [ke, ke, c.C, c.CO], 1);
  });
  return c.d > 1 ? subsampleFilter(g, c.k, c.d, c.C, c.CO) : g;
}

/** cpu reference of dx for case c (see file comment). */
async function inputReference(c: Case, dy: HostTensor, w: HostTensor): Promise<Float32Array> {
  const pads = explicitPads(c.pad);
  const we = c.d > 1 ? expandFilter(w, c.d) : w;
  const [g] = await runOn("cpu", { dy, w: we }, (t) => {
    if (!pads) return backpropInput(t, c, c.pad, [c.N, c.H, c.W, c.C], 1);
    const Hp = c.H + pads[0][0] + pads[0][1];
    const Wp = c.W + pads[1][0] + pads[1][1];
    const gp = backpropInput(t, c, "valid", [c.N, Hp, Wp, c.C], 1);
    return gp.slice([0, pads[0][0], pads[1][0], 0], [c.N, c.H, c.W, c.C]);
  });
  return g;
}

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
