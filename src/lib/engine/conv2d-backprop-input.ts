/**
 * Conv2DBackpropInput for the wasm backend, replacing the stock kernel (a scalar C++ loop,
 * ~10x slower than the XNNPACK forward conv). It is also the forward pass of Conv2DTranspose.
 *
 * stride 1 (any dilation): dx is a "full" correlation of dy with the filter rotated by 180°
 *   and its in/out channels swapped — one XNNPACK Conv2D with explicit padding.
 * stride s > 1 (dilation 1): sub-pixel decomposition. Output rows with ih + padTop ≡ r (mod s)
 *   only meet taps kh ≡ r (mod s); stacking the s² phase sub-filters as output channels gives
 *   one stride-1 Conv2D producing [n, Hph, Wph, s²·Cin], and DepthToSpace(s) interleaves the
 *   phases back into [n, Hph·s, Wph·s, Cin] (then crop). Phases with fewer taps get zero taps,
 *   so 3x3/s2 costs 16/9 of the exact FLOPs; 1x1/s2 computes only the one live phase.
 * Anything else (NCHW, unequal strides, negative padding) falls back to the stock kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { convGeometry, type ConvGeometry, type PadAttr } from "./conv-geometry";
import { checkWasmInternals, heapF32, WasmScope, type WasmBackendLike } from "./wasm-scope";

export interface Conv2DBackpropInputAttrsLike {
  strides: number | [number, number];
  pad: PadAttr;
  dataFormat?: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
  inputShape: [number, number, number, number];
  /** Not in tfjs' attrs (its conv gradient rejects dilation > 1); honoured when given. */
  dilations?: number | [number, number];
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
export type KernelFuncLike = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/**
 * Sub-filter of one stride phase, rotated and with in/out channels swapped:
 *   G[t, u, co, c] = W[rh + (Jh-1-t)·sh, rw + (Jw-1-u)·sw, c, co]   (t < Jh, u < Jw).
 * With sh = sw = 1 and rh = rw = 0 this is the 180°-rotated filter of the stride-1 path.
 * Filter-sized work done with a heap loop (the wasm Reverse kernel costs ~40 ns/element).
 */
function phaseFilter(scope: WasmScope, w: tf.TensorInfo, g: ConvGeometry, rh: number, rw: number, Jh: number, Jw: number): tf.TensorInfo {
  const { KW, C, CO, sh, sw } = g;
  const out = scope.alloc([Jh, Jw, CO, C]);
  const heap = heapF32(scope.backend);
  const src = scope.offsetOf(w) >>> 2;
  const dst = scope.offsetOf(out) >>> 2;
  for (let t = 0; t < Jh; t++) {
    const kh = rh + (Jh - 1 - t) * sh;
    for (let u = 0; u < Jw; u++) {
      const kw = rw + (Jw - 1 - u) * sw;
      const wBase = src + (kh * KW + kw) * C * CO; // W[kh, kw] is [C, CO]
      const oBase = dst + (t * Jw + u) * CO * C; // G[t, u] is [CO, C]
      for (let c = 0; c < C; c++) {
        const wRow = wBase + c * CO;
        for (let co = 0; co < CO; co++) heap[oBase + co * C + c] = heap[wRow + co];
      }
    }
  }
  return out;
}

function conv(scope: WasmScope, x: tf.TensorInfo, filter: tf.TensorInfo, pads: number[], dilations: [number, number]): tf.TensorInfo {
  return scope.run("Conv2D", { x, filter }, {
    strides: [1, 1],
    pad: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]],
    dataFormat: "NHWC",
    dilations,
    dimRoundingMode: undefined,
  });
}

/** dx for NHWC `dy` and filter `w`; returns undefined when this shape needs the stock kernel. */
export function inputGradNHWC(
  scope: WasmScope,
  dy: tf.TensorInfo,
  w: tf.TensorInfo,
  g: ConvGeometry,
): tf.TensorInfo | undefined {
  const { N, H, W, C, OH, OW, KH, KW, sh, sw, dh, dw, padTop, padLeft } = g;
  if (sh === 1 && sw === 1) {
    // Full correlation: dx[ih] = Σ_kh dy[ih + padTop - kh·dh] · W[kh].
    const top = (KH - 1) * dh - padTop;
    const left = (KW - 1) * dw - padLeft;
    const bottom = H + (KH - 1) * dh - OH - top;
    const right = W + (KW - 1) * dw - OW - left;
    if (top < 0 || left < 0 || bottom < 0 || right < 0) return undefined;
    const wr = phaseFilter(scope, w, g, 0, 0, KH, KW);
    const dx = conv(scope, dy, wr, [top, bottom, left, right], [dh, dw]);
    scope.free(wr);
    return dx;
  }
  if (dh !== 1 || dw !== 1) return undefined;
  // Phase (rh, rw) holds the dx pixels with (ih + padTop) ≡ rh (mod sh): index u = (ih + padTop) div sh.
  // They meet taps kh = rh + j·sh (j < Jh_r) at dy row u - j: a stride-1 correlation of dy.
  const u0 = Math.floor(padTop / sh);
  const v0 = Math.floor(padLeft / sw);
  const Hph = Math.ceil((padTop + H) / sh) - u0;
  const Wph = Math.ceil((padLeft + W) / sw) - v0;
  const bottom = Hph + u0 - OH;
  const right = Wph + v0 - OW;
  if (bottom < 0 || right < 0) return undefined;
  let sum: tf.TensorInfo | undefined;
  for (let rh = 0; rh < sh; rh++) {
    const Jh = Math.ceil((KH - rh) / sh);
    for (let rw = 0; rw < sw; rw++) {
      const Jw = Math.ceil((KW - rw) / sw);
      if (Jh <= 0 || Jw <= 0) continue; // this phase meets no tap: its dx pixels stay zero
      const top = Jh - 1 - u0;
      const left = Jw - 1 - v0;
      if (top < 0 || left < 0) {
        if (sum) scope.free(sum);
        return undefined;
      }
      const G = phaseFilter(scope, w, g, rh, rw, Jh, Jw);
      const ph = conv(scope, dy, G, [top, bottom, left, right], [1, 1]); // [N, Hph, Wph, C]
      scope.free(G);
      // Spread onto the full grid: [N, Hph, 1, Wph, 1, C] → [N, Hph, sh, Wph, sw, C] with zeros.
      const spread = scope.run("PadV2", { x: scope.reshape(ph, [N, Hph, 1, Wph, 1, C]) }, {
        paddings: [[0, 0], [0, 0], [rh, sh - 1 - rh], [0, 0], [rw, sw - 1 - rw], [0, 0]],
        constantValue: 0,
      });
      scope.free(ph);
      if (sum === undefined) {
        sum = spread;
      } else {
        const next = scope.run("Add", { a: sum, b: spread });
        scope.free(sum);
        scope.free(spread);
        sum = next;
      }
    }
  }
  if (sum === undefined) return undefined;
  const full = scope.reshape(sum, [N, Hph * sh, Wph * sw, C]);
  const dx = scope.cropNHWC(full, padTop - u0 * sh, padLeft - v0 * sw, H, W);
  if (dx !== full) scope.free(full);
  return dx;
}

/** Builds the kernelFunc registered as Conv2DBackpropInput on wasm; `stock` handles the rest. */
export function makeConv2dBackpropInputKernel(stock: KernelFuncLike | undefined): KernelFuncLike {
  return (args: KernelArgs) => {
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrsLike;
    const dy = args.inputs.dy as tf.TensorInfo;
    const filter = args.inputs.filter as tf.TensorInfo;
    const fallback = () => {
      if (!stock) throw new Error("Conv2DBackpropInput (wasm): this configuration needs the stock kernel, which is missing");
      return stock(args);
    };
    if (attrs.dataFormat === "NCHW" || dy.dtype !== "float32" || filter.dtype !== "float32") return fallback();
    const backend: WasmBackendLike = checkWasmInternals(args.backend);
    const g = convGeometry(attrs.inputShape, filter.shape, attrs.strides, attrs.pad, attrs.dilations, attrs.dimRoundingMode);
    if (dy.shape[1] !== g.OH || dy.shape[2] !== g.OW || dy.shape[3] !== g.CO) {
      throw new Error(
        `Conv2DBackpropInput (wasm): dy shape [${dy.shape}] does not match the conv output [${g.N},${g.OH},${g.OW},${g.CO}]`,
      );
    }
    const scope = new WasmScope(backend);
    try {
      const out = inputGradNHWC(scope, dy, filter, g);
      if (!out) return fallback();
      return scope.keep(out);
    } finally {
      scope.dispose();
    }
  };
}
