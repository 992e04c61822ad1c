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
 * The re-laid-out filters of weights are cached between calls (PhaseFilterCache).
 * Anything else (NCHW, padding beyond the filter extent) falls back to the stock kernel.
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
function writePhaseFilter(backend: WasmBackendLike, out: tf.TensorInfo, w: tf.TensorInfo, g: ConvGeometry, rh: number, rw: number, Jh: number, Jw: number): void {
  const { KW, C, CO, sh, sw } = g;
  const heap = heapF32(backend);
  const src = (backend.dataIdMap.get(w.dataId as object) as { memoryOffset: number }).memoryOffset >>> 2;
  const dst = (backend.dataIdMap.get(out.dataId as object) as { memoryOffset: number }).memoryOffset >>> 2;
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
}

/**
 * Phase filters of the model's weights (tf.Variables), kept across calls: with gradient
 * accumulation the weights stay the same for every micro-batch of a step, and re-laying them
 * out (plus XNNPACK re-packing them, ~10 ns/weight) on every call would cost ~0.5 s per
 * micro-batch for ResNet-50. Entries of weights that were disposed (replaced by an optimiser
 * step) are freed at the next call. Plain tensors (not variables) are never cached.
 */
export class PhaseFilterCache {
  private readonly entries = new Map<object, Map<string, tf.TensorInfo>>();

  /** `enabled: false` never keeps anything (every call lays the filter out again). */
  constructor(
    readonly backend: WasmBackendLike,
    readonly enabled = true,
  ) {}

  /** The phase filter of `w` for (rh, rw): cached for variables, else owned by `scope`. */
  get(scope: WasmScope, w: tf.TensorInfo, g: ConvGeometry, rh: number, rw: number, Jh: number, Jw: number): tf.TensorInfo {
    if (!this.enabled || !isVariableData(w.dataId as object)) {
      const out = scope.alloc([Jh, Jw, g.CO, g.C]);
      writePhaseFilter(this.backend, out, w, g, rh, rw, Jh, Jw);
      return out;
    }
    let byKey = this.entries.get(w.dataId as object);
    if (!byKey) {
      byKey = new Map();
      this.entries.set(w.dataId as object, byKey);
    }
    const key = `${g.KH},${g.KW},${g.C},${g.CO},${g.sh},${g.sw},${rh},${rw},${Jh},${Jw}`;
    let t = byKey.get(key);
    if (!t) {
      t = this.backend.makeOutput([Jh, Jw, g.CO, g.C], "float32");
      writePhaseFilter(this.backend, t, w, g, rh, rw, Jh, Jw);
      byKey.set(key, t);
    }
    return t;
  }

  /** Frees the entries of weights that no longer exist. */
  sweep(): void {
    for (const [src, byKey] of this.entries) {
      if (this.backend.dataIdMap.has(src)) continue;
      for (const t of byKey.values()) this.backend.disposeData(t.dataId as object);
      this.entries.delete(src);
    }
  }

  /** Frees everything (e.g. after training). */
  clear(): void {
    for (const byKey of this.entries.values()) for (const t of byKey.values()) this.backend.disposeData(t.dataId as object);
    this.entries.clear();
  }

  get size(): number {
    let n = 0;
    for (const byKey of this.entries.values()) n += byKey.size;
    return n;
  }
}

function isVariableData(dataId: object): boolean {
  const vars = (tf.engine() as unknown as { state: { registeredVariables: Record<string, tf.Variable> } }).state.registeredVariables;
  for (const name in vars) if (vars[name].dataId === dataId) return true;
  return false;
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
export function makeConv2dBackpropInputKernel(
  stock: KernelFuncLike | undefined,
  cacheFilters = true,
): KernelFuncLike & { releaseCache(): void; sweepCache(): void } {
  let cache: PhaseFilterCache | undefined;
  const kernel = (args: KernelArgs) => {
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
    if (!cache || cache.backend !== backend) cache = new PhaseFilterCache(backend, cacheFilters);
    cache.sweep();
    const scope = new WasmScope(backend);
    try {
      const out = inputGradNHWC(scope, dy, filter, g, cache);
      if (!out) return fallback();
      return scope.keep(out);
    } finally {
      scope.dispose();
    }
  };
  return Object.assign(kernel, {
    releaseCache(): void {
      cache?.clear();
    },
    sweepCache(): void {
      cache?.sweep();
    },
  });
}
