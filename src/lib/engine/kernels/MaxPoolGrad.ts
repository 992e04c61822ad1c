/**
 * MaxPoolGrad for the wasm backend (NHWC, dilation 1), replacing the stock kernel, which
 * re-scans every window for every input pixel (~35 ns/element: ~20 % of a SimpleCNN step).
 *
 * Per window tap t = (ki, kj), in row-major order:
 *   x_t[n, a, b] = xpad[n, a·s + ki, b·s + kj]      (a 1x1 max-pool with stride s on a shifted
 *                                                    view of the -inf padded input: XNNPACK's
 *                                                    exact subsampler)
 *   f_t = rem · [x_t == y],  rem -= f_t            (first maximum in the window wins, as in
 *                                                    the cpu backend; [x_t == y] is computed as
 *                                                    1 - step(y - x_t): the wasm Equal kernel is
 *                                                    ~10x slower than XNNPACK's Sub)
 *   dxpad[n, a·s + ki, b·s + kj] += dy · f_t        (zero-insertion with a 6-D PadV2, one Add)
 * then dx = the unpadded window of dxpad. All elementwise work runs in XNNPACK / wasm kernels.
 * This composite is the fallback of the one-pass SIMD kernel (simd/max-pool-grad.ts), which
 * handles channel counts that are a multiple of 4. Wraps the stock kernel: non-float32, non-4-D
 * and windows of more than 49 taps go to it.
 */
import * as tf from "@tensorflow/tfjs";
import { simdMaxPoolGrad } from "../simd/max-pool-grad";
import type { KernelArgs, WasmKernelConfig } from "../types";
import { accumulate, spreadPhase } from "../util/accumulate";
import type { PadAttr } from "../util/conv-geometry";
import { callWrapped } from "../util/wrapped-kernels";
import { checkWasmInternals, heapF32, WasmScope } from "../wasm/scope";

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: PadAttr;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

function maxPoolGrad(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const dy = args.inputs.dy as tf.TensorInfo;
  const x = args.inputs.input as tf.TensorInfo;
  const y = args.inputs.output as tf.TensorInfo;
  const attrs = args.attrs as unknown as PoolAttrs;
  const fallback = () => callWrapped("MaxPoolGrad", args);
  if (x.dtype !== "float32" || x.shape.length !== 4 || !y) return fallback();
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: kH, filterWidth: kW, strideHeight: sh, strideWidth: sw } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const maxA = Math.floor((kH - 1) / sh);
  const maxB = Math.floor((kW - 1) / sw);
  const Hq = OH + maxA;
  const Wq = OW + maxB;
  const Hp = Hq * sh;
  const Wp = Wq * sw;
  // Trailing rows/cols no window reads (valid pooling of odd sizes) get zero gradient:
  // pool over the used part only and pad dx back at the end.
  const Hu = Math.min(H, Hp - padTop);
  const Wu = Math.min(W, Wp - padLeft);
  const bottom = Hp - Hu - padTop;
  const right = Wp - Wu - padLeft;
  if (kH * kW > 49 || Hu <= 0 || Wu <= 0) return fallback();
  const backend = checkWasmInternals(args.backend);
  const scope = new WasmScope(backend);
  try {
    const simd = simdMaxPoolGrad(scope, x, y, dy, { N, H, W, C, OH, OW, kH, kW, sh, sw, padTop, padLeft });
    if (simd) return scope.keep(simd);
    // One extra image at the end absorbs the shifted views' overrun.
    const xu = scope.cropNHWC(x, 0, 0, Hu, Wu);
    const xpad = scope.run("PadV2", { x: xu }, {
      paddings: [[0, 1], [padTop, bottom], [padLeft, right], [0, 0]],
      constantValue: -Infinity,
    });
    let rem: tf.TensorInfo | undefined;
    let sum: tf.TensorInfo | undefined;
    // Non-overlapping windows tile the padded grid: every dx pixel gets exactly one tap's
    // contribution, so interleave them with memmoves instead of s² zero-spreads and adds.
    const tiles = kH === sh && kW === sw && C >= 16;
    const contribs: tf.TensorInfo[] = [];
    for (let ki = 0; ki < kH; ki++) {
      for (let kj = 0; kj < kW; kj++) {
        const last = ki === kH - 1 && kj === kW - 1;
        const shifted = scope.view(xpad, (ki * Wp + kj) * C, [N, Hp, Wp, C]);
        const sub = scope.run("MaxPool", { x: shifted }, { filterSize: [1, 1], strides: [sh, sw], pad: "valid", dimRoundingMode: undefined });
        scope.free(shifted);
        const xt = scope.cropNHWC(sub, 0, 0, OH, OW);
        if (xt !== sub) scope.free(sub);
        // notMax = step(y - x_t) is 1 where x_t is below the window max, 0 at a maximum
        // (y >= x_t always). f = rem · (1 - notMax); rem' = rem · notMax.
        const d = scope.run("Sub", { a: y, b: xt });
        scope.free(xt);
        const notMax = scope.run("Step", { x: d }, { alpha: 0 });
        scope.free(d);
        let f: tf.TensorInfo;
        if (rem === undefined) {
          const ones = onesLike(scope, notMax);
          f = scope.run("Sub", { a: ones, b: notMax });
          scope.free(ones);
          if (!last) rem = notMax;
          else scope.free(notMax);
        } else {
          const next = scope.run("Multiply", { a: rem, b: notMax });
          scope.free(notMax);
          f = scope.run("Sub", { a: rem, b: next });
          scope.free(rem);
          rem = last ? undefined : next;
          if (last) scope.free(next);
        }
        const contrib = scope.run("Multiply", { a: dy, b: f });
        scope.free(f);
        if (tiles) {
          contribs.push(contrib);
          continue;
        }
        const a = Math.floor(ki / sh);
        const p = ki % sh;
        const b = Math.floor(kj / sw);
        const q = kj % sw;
        sum = accumulate(scope, sum, spreadPhase(scope, contrib, p, q, sh, sw, [a, Hq - OH - a], [b, Wq - OW - b]));
      }
    }
    if (tiles) sum = interleave(scope, contribs, N, OH, OW, C, sh, sw);
    if (rem !== undefined) scope.free(rem);
    scope.free(xpad);
    scope.release(xu);
    const full = scope.reshape(sum as tf.TensorInfo, [N, Hp, Wp, C]);
    const dxu = scope.cropNHWC(full, padTop, padLeft, Hu, Wu);
    if (Hu === H && Wu === W) return scope.keep(dxu);
    const dx = scope.run("PadV2", { x: dxu }, { paddings: [[0, 0], [0, H - Hu], [0, W - Wu], [0, 0]], constantValue: 0 });
    return scope.keep(dx);
  } finally {
    scope.dispose();
  }
}

/**
 * [N, OH·sh, OW·sw, C] from the sh·sw phase tensors [N, OH, OW, C] (row-major (ki, kj) order):
 * out[n, a·sh + ki, b·sw + kj] = phase[ki·sw + kj][n, a, b]. One memmove per C-run.
 */
function interleave(scope: WasmScope, phases: tf.TensorInfo[], N: number, OH: number, OW: number, C: number, sh: number, sw: number): tf.TensorInfo {
  const out = scope.alloc([N, OH * sh, OW * sw, C]);
  const heap = heapF32(scope.backend);
  const dst = scope.offsetOf(out) >>> 2;
  const src = phases.map((t) => scope.offsetOf(t) >>> 2);
  const rowOut = OW * sw * C;
  for (let r = 0; r < N * OH; r++) {
    for (let ki = 0; ki < sh; ki++) {
      const dRow = dst + (r * sh + ki) * rowOut;
      for (let kj = 0; kj < sw; kj++) {
        const s0 = src[ki * sw + kj] + r * OW * C;
        for (let b = 0; b < OW; b++) {
          const s = s0 + b * C;
          heap.copyWithin(dRow + (b * sw + kj) * C, s, s + C);
        }
      }
    }
  }
  for (const t of phases) scope.free(t);
  return out;
}

/** A scope-owned tensor of ones shaped like `t`. */
function onesLike(scope: WasmScope, t: tf.TensorInfo): tf.TensorInfo {
  const o = scope.alloc(t.shape);
  scope.fill(o, 1);
  return o;
}

/** The stock kernel routes tied maxima elsewhere than cpu / TensorFlow / PyTorch (first maximum) and is slow. */
export const maxPoolGradConfig: WasmKernelConfig = { kernelName: "MaxPoolGrad", backendName: "wasm", kernelFunc: maxPoolGrad, wraps: "MaxPoolGrad", group: "fixed" };
