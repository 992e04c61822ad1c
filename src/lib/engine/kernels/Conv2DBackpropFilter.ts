/**
 * Conv2DBackpropFilter for the wasm backend (missing upstream: tfjs issue 8474).
 *
 *   dW[kh, kw, c, co] = Σ_{n, oh, ow} xpad[n, oh·s + kh·d, ow·s + kw·d, c] · dy[n, oh, ow, co]
 *
 * Default: the hand-written wasm SIMD kernel of simd/filter-grad.ts (natural layouts, no
 * packing; 16-34 GFLOP/s here, 1.4-3.6x the XNNPACK path below).
 *
 * Fallback (no SIMD), one XNNPACK matmul per panel of output pixels, im2colᵀ · dy:
 *  1. Pad x (spatially, plus one zero channel) and split it into its s×s stride phases while
 *     transposing it to channel-major: xT [sh, sw, C+1, rows] (one 2-D or 4-D wasm Transpose per
 *     block of images; rows = images · Hq · Wq, the phase grid).
 *  2. Pad dy to the same Hq×Wq grid with zeros: dyE [rows, Cout] (no copy when no padding).
 *  3. For tap (kh, kw), "x at that tap" is the window of xT's phase block shifted by a·Wq + b
 *     elements: row c of the window is contiguous. A panel of k pixels gathers those rows for
 *     all taps and channels into A [KH·KW·C, k] (one memmove per row), B = the panel's rows of
 *     dyE (a zero-copy view), and A · B is the panel's contribution to dW, already laid out
 *     [KH, KW, C, Cout]. Window positions past a row's end meet zero rows of dyE or the zero
 *     channel, so they add nothing.
 *  Panels are sized so XNNPACK's packed B (k × Cout) stays in L2 — its GEMM streams the whole
 *  reduction per output tile — and XNNPACK re-packs B on every call (~5-12 ns/element), which
 *  is why 1x1 convs with C < Cout pack the narrower x instead (pointwiseFilterGrad) and why a
 *  1x1/s2 conv subsamples x first.
 */
import * as tf from "@tensorflow/tfjs";
import { simdFilterGrad } from "../simd/filter-grad";
import type { KernelArgs, WasmKernelConfig } from "../types";
import { accumulate } from "../util/accumulate";
import { convGeometry, type ConvAttrs, type ConvGeometry } from "../util/conv-geometry";
import { gridDy, phaseGrid, phaseLayout } from "../util/phase-layout";
import { checkWasmInternals, heapF32, WasmScope } from "../wasm/scope";

interface Conv2DBackpropFilterAttrs extends ConvAttrs {
  filterShape: [number, number, number, number];
}

/** Tuning of the filter-gradient GEMMs (see file comment). */
export interface FilterGradTuning {
  /** Pixels per transposed block of x (keeps the transpose TLB-friendly). */
  blockRows: number;
  /** Bytes of the packed right-hand panel per matmul call (aim: fits in L2). */
  panelBytes: number;
  /** Reduction length bounds per matmul call. */
  minPanelRows: number;
  maxPanelRows: number;
  /** Use the hand-written SIMD kernel (simd/filter-grad.ts) when the engine supports it. */
  useSimd: boolean;
}

export const DEFAULT_FILTER_GRAD_TUNING: FilterGradTuning = {
  blockRows: 8192,
  panelBytes: 256 * 1024,
  minPanelRows: 512,
  maxPanelRows: 4096,
  useSimd: true,
};

function panelRows(cols: number, t: FilterGradTuning): number {
  return Math.max(t.minPanelRows, Math.min(t.maxPanelRows, Math.floor(t.panelBytes / (4 * cols))));
}

/**
 * Gathers `count` row windows into a dense [count, len] matrix: row i is `len` floats
 * starting at element `starts[i]` of `src` (one memmove each).
 */
function gatherRows(scope: WasmScope, src: tf.TensorInfo, starts: number[], len: number): tf.TensorInfo {
  const out = scope.alloc([starts.length, len]);
  const heap = heapF32(scope.backend);
  const s0 = scope.offsetOf(src) >>> 2;
  const d0 = scope.offsetOf(out) >>> 2;
  for (let i = 0; i < starts.length; i++) heap.copyWithin(d0 + i * len, s0 + starts[i], s0 + starts[i] + len);
  return out;
}

/**
 * 1x1, stride 1, unpadded, C < Cout: dWᵀ = Σ (dyᵀ panel [Cout, k]) · (x panel [k, C]).
 * XNNPACK re-packs the right-hand operand on every call (~5-12 ns/element), so the narrower
 * x is the packed side here.
 */
function pointwiseFilterGrad(scope: WasmScope, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry, t: FilterGradTuning): tf.TensorInfo {
  const { N, H, W, C, CO } = g;
  const perImage = H * W;
  const imgs = Math.max(1, Math.min(N, Math.round(t.blockRows / perImage)));
  const kc = panelRows(C, t);
  let acc: tf.TensorInfo | undefined;
  for (let n0 = 0; n0 < N; n0 += imgs) {
    const nc = Math.min(imgs, N - n0);
    const rows = nc * perImage;
    const dyc = nc === N ? scope.reshape(dy, [rows, CO]) : scope.view(dy, n0 * perImage * CO, [rows, CO]);
    const dyT = scope.run("Transpose", { x: dyc }, { perm: [1, 0] }); // [CO, rows]
    scope.release(dyc);
    for (let r0 = 0; r0 < rows; r0 += kc) {
      const k = Math.min(kc, rows - r0);
      const starts: number[] = [];
      for (let co = 0; co < CO; co++) starts.push(co * rows + r0);
      const a = gatherRows(scope, dyT, starts, k);
      const b = scope.view(x, (n0 * perImage + r0) * C, [k, C]);
      const prod = scope.run("BatchMatMul", { a, b }, { transposeA: false, transposeB: false }); // [CO, C]
      scope.free(a);
      scope.free(b);
      acc = accumulate(scope, acc, prod);
    }
    scope.free(dyT);
  }
  const dw = scope.run("Transpose", { x: acc as tf.TensorInfo }, { perm: [1, 0] });
  scope.free(acc as tf.TensorInfo);
  return scope.reshape(dw, [1, 1, C, CO]);
}

/** dW [KH, KW, C, CO] for NHWC `x`, `dy` inside `scope`; the result belongs to the scope. */
export function filterGradNHWC(
  scope: WasmScope,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  g: ConvGeometry,
  tuning: FilterGradTuning = DEFAULT_FILTER_GRAD_TUNING,
): tf.TensorInfo {
  const { N, H, W, C, OH, OW, CO, KH, KW, sh, sw, padTop, padLeft } = g;
  if (tuning.useSimd) {
    const direct = simdFilterGrad(scope, x, dy, g);
    if (direct) return direct;
  }
  // XNNPACK path (engines without wasm SIMD).
  // 1x1 with stride: only phase (0,0) is read, so subsample first (a 1x1 max-pool is XNNPACK's
  // exact, fast subsampler; StridedSlice is ~100x slower) and solve a stride-1 problem.
  if (KH === 1 && KW === 1 && (sh > 1 || sw > 1) && padTop === 0 && padLeft === 0 && (OH - 1) * sh < H && (OW - 1) * sw < W) {
    const xs = scope.run("MaxPool", { x }, { filterSize: [1, 1], strides: [sh, sw], pad: "valid", dimRoundingMode: undefined });
    if (xs.shape[1] !== OH || xs.shape[2] !== OW) {
      throw new Error(`Conv2DBackpropFilter (wasm): subsampled [${xs.shape}] does not match [${OH}, ${OW}]`);
    }
    const g1: ConvGeometry = { ...g, H: OH, W: OW, sh: 1, sw: 1, padTop: 0, padLeft: 0 };
    return filterGradNHWC(scope, xs, dy, g1, tuning);
  }
  if (KH === 1 && KW === 1 && sh === 1 && sw === 1 && padTop === 0 && padLeft === 0 && OH === H && OW === W && C < CO) {
    return pointwiseFilterGrad(scope, x, dy, g, tuning);
  }
  const grid = phaseGrid(g);
  const perImage = grid.Hq * grid.Wq;
  const imgs = Math.max(1, Math.min(N, Math.round(tuning.blockRows / perImage)));
  const kc = panelRows(CO, tuning);
  let acc: tf.TensorInfo | undefined;
  for (let n0 = 0; n0 < N; n0 += imgs) {
    const nc = Math.min(imgs, N - n0);
    const rows = nc * perImage;
    const xc = nc === N ? x : scope.view(x, n0 * H * W * C, [nc, H, W, C]);
    const dyc = nc === N ? dy : scope.view(dy, n0 * OH * OW * CO, [nc, OH, OW, CO]);
    const xT = phaseLayout(scope, xc, g, grid); // [sh, sw, C1, rows]
    scope.release(xc);
    const dyE = gridDy(scope, dyc, g, grid); // [rows, CO]
    const tapStart: number[] = [];
    for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) tapStart.push(grid.tapOffset(kh, kw, rows));
    for (let r0 = 0; r0 < rows; r0 += kc) {
      const k = Math.min(kc, rows - r0);
      // Stacked windows (im2colᵀ): row (tap, c) = xT phase row c from that tap's shift.
      const starts: number[] = [];
      for (const t0 of tapStart) for (let c = 0; c < C; c++) starts.push(t0 + c * rows + r0);
      const a = gatherRows(scope, xT, starts, k); // [KH·KW·C, k]
      const b = scope.view(dyE, r0 * CO, [k, CO]);
      const prod = scope.run("BatchMatMul", { a, b }, { transposeA: false, transposeB: false }); // [KH·KW·C, CO]
      scope.free(a);
      scope.free(b);
      acc = accumulate(scope, acc, prod);
    }
    scope.free(xT);
    scope.release(dyE);
    scope.release(dyc);
  }
  return scope.reshape(acc as tf.TensorInfo, [KH, KW, C, CO]);
}

function conv2DBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const backend = checkWasmInternals(args.backend);
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  let x = args.inputs.x as tf.TensorInfo;
  let dy = args.inputs.dy as tf.TensorInfo;
  if (x.dtype !== "float32" || dy.dtype !== "float32") {
    throw new Error(`Conv2DBackpropFilter (wasm): float32 inputs required, got x ${x.dtype}, dy ${dy.dtype}`);
  }
  const scope = new WasmScope(backend);
  try {
    let filterShape = attrs.filterShape;
    if (attrs.dataFormat === "NCHW") {
      x = scope.run("Transpose", { x }, { perm: [0, 2, 3, 1] });
      dy = scope.run("Transpose", { x: dy }, { perm: [0, 2, 3, 1] });
    }
    filterShape = [filterShape[0], filterShape[1], x.shape[3], filterShape[3]];
    const g = convGeometry(x.shape, filterShape, attrs.strides, attrs.pad, attrs.dilations, attrs.dimRoundingMode);
    if (dy.shape[1] !== g.OH || dy.shape[2] !== g.OW || dy.shape[3] !== g.CO || dy.shape[0] !== g.N) {
      throw new Error(
        `Conv2DBackpropFilter (wasm): dy shape [${dy.shape}] does not match the conv output [${g.N},${g.OH},${g.OW},${g.CO}]`,
      );
    }
    const out = filterGradNHWC(scope, x, dy, g);
    // `out` may alias a scope tensor through Reshape; materialise an owned copy only if needed.
    return scope.keep(out);
  } finally {
    scope.dispose();
  }
}

/** Missing upstream (tfjs issue 8474): added. */
export const conv2DBackpropFilterConfig: WasmKernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: conv2DBackpropFilter,
  group: "missing",
};
