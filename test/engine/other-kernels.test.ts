/**
 * The other wasm kernels this engine registers — depthwise backprops (missing upstream) and
 * the fast replacements of MaxPoolGrad, Sum, Mean and Tile — against the cpu backend.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { onBothBackends, randomHost, relErr, runOn, type HostTensor } from "./helpers";

/** [k,k,C,m] → the undilated equivalent with (d-1) zeros between taps. */
function expand(w: HostTensor, d: number): HostTensor {
  const [k, , C, m] = w.shape;
  const ke = (k - 1) * d + 1;
  const data = new Float32Array(ke * ke * C * m);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) data.set(w.data.subarray((i * k + j) * C * m, (i * k + j + 1) * C * m), (i * d * ke + j * d) * C * m);
  return { shape: [ke, ke, C, m], data };
}

/** Taps (i·d, j·d) of an expanded-filter gradient. */
function subsample(g: Float32Array, k: number, d: number, inner: number): Float32Array {
  const ke = (k - 1) * d + 1;
  const out = new Float32Array(k * k * inner);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) out.set(g.subarray((i * d * ke + j * d) * inner, (i * d * ke + j * d + 1) * inner), (i * k + j) * inner);
  return out;
}

const TOL = 1e-4;

test("depthwise conv gradients (input and filter) match cpu over strides, dilations, multipliers", async () => {
  let n = 0;
  for (const [N, H, W, C] of [
    [1, 9, 8, 3],
    [3, 10, 11, 4],
  ]) {
    for (const k of [1, 3, 5]) {
      for (const [s, d] of [[1, 1], [2, 1], [1, 2]] as Array<[number, number]>) {
        for (const m of [1, 2]) {
          for (const pad of ["same", "valid"] as const) {
            if (pad === "valid" && (k - 1) * d + 1 > Math.min(H, W)) continue;
            const info = tf.backend_util.computeConv2DInfo([N, H, W, C], [k, k, C, m], s, d, pad, undefined, true);
            const x = randomHost([N, H, W, C], 5, `dw/x/${n}`);
            const w = randomHost([k, k, C, m], 5, `dw/w/${n}`);
            const dy = randomHost(info.outShape, 5, `dw/dy/${n}`);
            const attrs = { strides: s, dilations: d, pad, dimRoundingMode: undefined };
            const r = await onBothBackends({ x, w, dy }, (t) => [
              tf.engine().runKernel("DepthwiseConv2dNativeBackpropInput", { dy: t.dy, filter: t.w }, {
                ...attrs,
                inputShape: [N, H, W, C],
              } as unknown as tf.NamedAttrMap) as tf.Tensor,
              tf.engine().runKernel("DepthwiseConv2dNativeBackpropFilter", { x: t.x, dy: t.dy }, {
                ...attrs,
                filterShape: [k, k, C, m],
              } as unknown as tf.NamedAttrMap) as tf.Tensor,
            ]);
            const tag = `N${N} ${H}x${W}x${C} k${k} s${s} d${d} m${m} ${pad}`;
            let refDx = r.cpu[0];
            let refDw = r.cpu[1];
            if (d > 1) {
              // The cpu kernels ignore dilation (tfjs never asks for it): use the expanded filter.
              const ke = (k - 1) * d + 1;
              const ref = await runOn("cpu", { x, w: expand(w, d), dy }, (t) => [
                tf.engine().runKernel("DepthwiseConv2dNativeBackpropInput", { dy: t.dy, filter: t.w }, {
                  ...attrs,
                  dilations: 1,
                  inputShape: [N, H, W, C],
                } as unknown as tf.NamedAttrMap) as tf.Tensor,
                tf.engine().runKernel("DepthwiseConv2dNativeBackpropFilter", { x: t.x, dy: t.dy }, {
                  ...attrs,
                  dilations: 1,
                  filterShape: [ke, ke, C, m],
                } as unknown as tf.NamedAttrMap) as tf.Tensor,
              ]);
              refDx = ref[0];
              refDw = subsample(ref[1], k, d, C * m);
            }
            assert.ok(relErr(r.wasm[0], refDx) <= TOL, `dx ${tag}: ${relErr(r.wasm[0], refDx)}`);
            assert.ok(relErr(r.wasm[1], refDw) <= TOL, `dW ${tag}: ${relErr(r.wasm[1], refDw)}`);
            assert.deepEqual(r.leaked, { tensors: 0, dataIds: 0 }, `leak ${tag}`);
            n++;
          }
        }
      }
    }
  }
  assert.ok(n >= 40, `only ${n} depthwise cases`);
});

test("MaxPoolGrad matches cpu, including ties (first maximum wins) and odd sizes", async () => {
  for (const [N, H, W, C] of [
    [1, 8, 8, 3],
    [3, 9, 7, 5],
    [1, 7, 9, 4], // channels a multiple of 4: the one-pass SIMD kernel
    [2, 8, 10, 16], // SIMD kernel
    [2, 8, 10, 18], // >= 16 channels, not a multiple of 4: the composite's memmove interleave
  ]) {
    for (const k of [2, 3]) {
      for (const s of [1, 2]) {
        for (const pad of ["valid", "same"] as const) {
          // ReLU zeros and rounding to a coarse grid make equal maxima in many windows.
          const x = randomHost([N, H, W, C], 6, `mp/${N}/${k}/${s}/${pad}`);
          const r = await onBothBackends({ x }, (t) => {
            const xr = t.x.mul(2).round().relu();
            const y = tf.maxPool(xr as tf.Tensor4D, k, s, pad);
            const dy = tf.randomNormal(y.shape, 0, 1, "float32", 11);
            return tf.grad((v: tf.Tensor) => tf.maxPool(v as tf.Tensor4D, k, s, pad).mul(dy).sum())(xr);
          });
          const tag = `N${N} ${H}x${W}x${C} k${k} s${s} ${pad}`;
          assert.ok(relErr(r.wasm[0], r.cpu[0]) <= TOL, `${tag}: ${relErr(r.wasm[0], r.cpu[0])}`);
          assert.deepEqual(r.leaked, { tensors: 0, dataIds: 0 }, `leak ${tag}`);
        }
      }
    }
  }
});

test("Sum / Mean over leading, middle and trailing axes match cpu; Tile matches cpu", async () => {
  const x = randomHost([3, 17, 9, 6], 7, "reduce");
  const axesList: number[][] = [[0, 1, 2], [0], [1, 2], [0, 1], [1], [3], [2, 3], [0, 1, 2, 3]];
  for (const axes of axesList) {
    for (const keepDims of [false, true]) {
      const r = await onBothBackends({ x }, (t) => [t.x.sum(axes, keepDims), t.x.mean(axes, keepDims)]);
      assert.ok(relErr(r.wasm[0], r.cpu[0]) <= 1e-5, `sum ${axes} ${keepDims}: ${relErr(r.wasm[0], r.cpu[0])}`);
      assert.ok(relErr(r.wasm[1], r.cpu[1]) <= 1e-5, `mean ${axes} ${keepDims}: ${relErr(r.wasm[1], r.cpu[1])}`);
      assert.deepEqual(r.leaked, { tensors: 0, dataIds: 0 });
    }
  }
  // Exact small case: the sum of 0..n-1 over rows.
  const rows = 1001;
  const seq = { shape: [rows, 2], data: Float32Array.from({ length: rows * 2 }, (_, i) => (i % 2 === 0 ? i / 2 : 1)) };
  const s = await onBothBackends({ seq }, (t) => t.seq.sum(0));
  assert.deepEqual(Array.from(s.wasm[0]), [(rows * (rows - 1)) / 2, rows]);
  for (const [shape, reps] of [
    [[1, 1, 1, 5], [3, 4, 6, 1]],
    [[2, 5], [3, 1]],
    [[2, 1, 5], [1, 4, 1]],
    [[2, 3], [2, 2]],
  ] as Array<[number[], number[]]>) {
    const t0 = randomHost(shape, 8, `tile/${shape}`);
    const r = await onBothBackends({ t0 }, (t) => tf.tile(t.t0, reps));
    assert.deepEqual(Array.from(r.wasm[0]), Array.from(r.cpu[0]), `tile ${shape} x ${reps}`);
  }
});

test("resize gradients (nearest, bilinear) are the exact adjoint of the cpu forward resize", async () => {
  // Independent reference: the forward resize is linear, so resizing the H·W one-hot basis
  // images on cpu gives its matrix M [OH·OW, H·W]; then dx = Mᵀ·dy per image and channel.
  const [N, H, W, C] = [2, 8, 6, 3];
  for (const kind of ["nearest", "bilinear"] as const) {
    for (const [OH, OW] of [
      [16, 12],
      [24, 18],
      [12, 9],
      [5, 4],
    ]) {
      for (const alignCorners of [false, true]) {
        const basis = { shape: [H * W, H, W, 1], data: new Float32Array(H * W * H * W) };
        for (let i = 0; i < H * W; i++) basis.data[i * H * W + i] = 1;
        const resize = (t: tf.Tensor) =>
          kind === "nearest"
            ? tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [OH, OW], alignCorners)
            : tf.image.resizeBilinear(t as tf.Tensor4D, [OH, OW], alignCorners);
        const [M] = await runOn("cpu", { basis }, (t) => resize(t.basis)); // [H·W, OH, OW, 1]
        const dy = randomHost([N, OH, OW, C], 9, `resize/${kind}/${OH}/${alignCorners}`);
        const ref = new Float32Array(N * H * W * C);
        for (let n = 0; n < N; n++)
          for (let i = 0; i < H * W; i++)
            for (let c = 0; c < C; c++) {
              let acc = 0;
              for (let o = 0; o < OH * OW; o++) acc += M[i * OH * OW + o] * dy.data[(n * OH * OW + o) * C + c];
              ref[(n * H * W + i) * C + c] = acc;
            }
        const x = randomHost([N, H, W, C], 9, "resize/x");
        const [ours] = await runOn("wasm", { x, dy }, (t) => tf.grad((v: tf.Tensor) => resize(v).mul(t.dy).sum())(t.x));
        const tag = `${kind} ${H}x${W}->${OH}x${OW} alignCorners=${alignCorners}`;
        assert.ok(relErr(ours, ref) <= TOL, `${tag}: ${relErr(ours, ref)}`);
      }
    }
  }
});
