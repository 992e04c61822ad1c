/**
 * Conv2DBackpropInput for the wasm backend, replacing the stock kernel (a scalar C++ loop,
 * ~10x slower than the XNNPACK forward conv). It is also the forward pass of Conv2DTranspose.
 *
 * stride 1 (any dilation): dx is a "full" correlation of dy with the filter rotated by 180°
 *   and its in/out channels swapped — one XNNPACK Conv2D with explicit padding.
 * stride s > 1 (dilation 1): sub-pixel decomposition. The dx pixels with ih + padTop ≡ r (mod s)
 *   only meet taps kh ≡ r (mod s): per phase (rh, rw) one stride-1 XNNPACK Conv2D of dy with
 *   that phase's sub-filter (exact FLOPs in total), spread onto the s×s grid with zeros by a
 *   6-D PadV2 and summed (phases are disjoint), then cropped to [n, H, W, Cin]. (The wasm
 *   DepthToSpace / StridedSlice kernels that would interleave phases cost ~40 ns/element.)
 * The re-laid-out filters of weights are cached between calls (util/phase-filter-cache.ts).
 * Wraps the stock kernel: anything else (NCHW, padding beyond the filter extent) goes to it.
 */
import * as tf from "@tensorflow/tfjs";
import type { KernelArgs, WasmKernelConfig } from "../types";
import { accumulate, spreadPhase } from "../util/accumulate";
import { convGeometry, type ConvAttrs, type ConvGeometry } from "../util/conv-geometry";
import { PhaseFilterCache, phaseFilterCache, sweepPhaseFilterCache } from "../util/phase-filter-cache";
import { callWrapped } from "../util/wrapped-kernels";
import { checkWasmInternals, WasmScope } from "../wasm/scope";

interface Conv2DBackpropInputAttrs extends ConvAttrs {
  inputShape: [number, number, number, number];
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
  cache: PhaseFilterCache = new PhaseFilterCache(scope.backend),
): tf.TensorInfo | undefined {
  const { N, H, W, C, OH, OW, KH, KW, sh, sw, dh, dw, padTop, padLeft } = g;
  if (sh === 1 && sw === 1) {
    // Full correlation: dx[ih] = Σ_kh dy[ih + padTop - kh·dh] · W[kh].
    const top = (KH - 1) * dh - padTop;
    const left = (KW - 1) * dw - padLeft;
    const bottom = H + (KH - 1) * dh - OH - top;
    const right = W + (KW - 1) * dw - OW - left;
    if (top < 0 || left < 0 || bottom < 0 || right < 0) return undefined;
    const wr = cache.get(scope, w, g, 0, 0, KH, KW);
    const dx = conv(scope, dy, wr, [top, bottom, left, right], [dh, dw]);
    scope.release(wr);
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
      const G = cache.get(scope, w, g, rh, rw, Jh, Jw);
      const ph = conv(scope, dy, G, [top, bottom, left, right], [1, 1]); // [N, Hph, Wph, C]
      scope.release(G);
      // Spread onto the full grid: [N, Hph, sh, Wph, sw, C] with zeros.
      sum = accumulate(scope, sum, spreadPhase(scope, ph, rh, rw, sh, sw));
    }
  }
  if (sum === undefined) return undefined;
  const full = scope.reshape(sum, [N, Hph * sh, Wph * sw, C]);
  const dx = scope.cropNHWC(full, padTop - u0 * sh, padLeft - v0 * sw, H, W);
  if (dx !== full) scope.free(full);
  return dx;
}

function conv2DBackpropInput(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const dy = args.inputs.dy as tf.TensorInfo;
  const filter = args.inputs.filter as tf.TensorInfo;
  if (attrs.dataFormat === "NCHW" || dy.dtype !== "float32" || filter.dtype !== "float32") return callWrapped("Conv2DBackpropInput", args);
  const backend = checkWasmInternals(args.backend);
  const g = convGeometry(attrs.inputShape, filter.shape, attrs.strides, attrs.pad, attrs.dilations, attrs.dimRoundingMode);
  if (dy.shape[1] !== g.OH || dy.shape[2] !== g.OW || dy.shape[3] !== g.CO) {
    throw new Error(
      `Conv2DBackpropInput (wasm): dy shape [${dy.shape}] does not match the conv output [${g.N},${g.OH},${g.OW},${g.CO}]`,
    );
  }
  const cache = phaseFilterCache(backend);
  sweepPhaseFilterCache();
  const scope = new WasmScope(backend);
  try {
    const out = inputGradNHWC(scope, dy, filter, g, cache);
    if (!out) return callWrapped("Conv2DBackpropInput", args);
    return scope.keep(out);
  } finally {
    scope.dispose();
  }
}

/** Wraps the stock kernel (a scalar C++ loop): too slow for training. */
export const conv2DBackpropInputConfig: WasmKernelConfig = {
  kernelName: "Conv2DBackpropInput",
  backendName: "wasm",
  kernelFunc: conv2DBackpropInput,
  wraps: "Conv2DBackpropInput",
  group: "faster",
};
