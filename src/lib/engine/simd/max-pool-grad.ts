/**
 * MaxPoolGrad as one wasm SIMD pass (NHWC, channels a multiple of 4): for every output pixel and
 * 4 channels, walk the window's taps in row-major order; the first tap equal to the pooled
 * maximum gets dy (as the cpu backend, TensorFlow and PyTorch route ties):
 *   m_t = [x_t == y] & ~found,  found |= m_t,  dx_t += dy & m_t.
 * It reads x, y and dy once and read-modify-writes dx, against ~6 full-size kernels per tap of
 * the composite kernel in max-pool-grad.ts (still the fallback).
 * The input is padded with -inf where windows overhang it, so every window has all its taps.
 */
import * as tf from "@tensorflow/tfjs";
import { heapModule } from "../wasm/heap-module";
import { FunctionBuilder, I32, V128 } from "../../util/wasm-asm";
import type { ConvGeometry } from "../util/conv-geometry";
import { heapF32, type WasmScope } from "../wasm/scope";

type PoolImageFn = (x: number, y: number, dy: number, dxDelta: number, oh: number, ow: number, cb: number, rowStep: number, colStep: number, offs: number, taps: number) => void;

/** One image: x at byte X (padded layout), y / dy at Y / DY (consecutive pixels), dx = x + DELTA. */
function poolImageFunction(): FunctionBuilder {
  const f = new FunctionBuilder(new Array(11).fill(I32));
  const [X, Y, DY, DELTA, OH, OW, CB, ROWSTEP, COLSTEP, OFFS, TAPS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const r = f.local(I32);
  const c = f.local(I32);
  const o = f.local(I32);
  const t = f.local(I32);
  const xr = f.local(I32);
  const xp = f.local(I32);
  const a = f.local(I32);
  const yv = f.local(V128);
  const dyv = f.local(V128);
  const found = f.local(V128);
  const m = f.local(V128);
  f.get(X).set(xr);
  f.forRange(r, { local: OH }, () => {
    f.get(xr).set(xp);
    f.forRange(c, { local: OW }, () => {
      f.i32(0).set(o);
      f.loop();
      f.get(Y).get(o).add().loadV().set(yv);
      f.get(DY).get(o).add().loadV().set(dyv);
      f.get(yv).get(yv).xorV().set(found); // zeros
      f.forRange(t, { local: TAPS }, () => {
        // a = xp + offs[t] + o
        f.get(xp).get(OFFS).get(t).i32(4).mul().add().loadI32().add().get(o).add().set(a);
        f.get(a).loadV().get(yv).f32x4Eq().get(found).andNotV().set(m);
        f.get(found).get(m).orV().set(found);
        // dx[a + DELTA] += dy & m
        f.get(a).get(DELTA).add();
        f.get(a).get(DELTA).add().loadV();
        f.get(dyv).get(m).andV();
        f.f32x4Add().storeV();
      });
      f.inc(o, 16);
      f.get(o).get(CB).ltU().brIf(0);
      f.end();
      f.inc(Y, { local: CB });
      f.inc(DY, { local: CB });
      f.inc(xp, { local: COLSTEP });
    });
    f.inc(xr, { local: ROWSTEP });
  });
  return f;
}

/** A max pool's geometry: a conv's (without filter channels or dilation) with window kH×kW. */
export interface PoolGeometry extends Pick<ConvGeometry, "N" | "H" | "W" | "C" | "OH" | "OW" | "sh" | "sw" | "padTop" | "padLeft"> {
  kH: number;
  kW: number;
}

/**
 * dx [N, H, W, C] of a max pool with the SIMD kernel, owned by `scope`; undefined when the kernel
 * does not apply (channels not a multiple of 4, no wasm SIMD) so the caller falls back.
 */
export function simdMaxPoolGrad(scope: WasmScope, x: tf.TensorInfo, y: tf.TensorInfo, dy: tf.TensorInfo, g: PoolGeometry): tf.TensorInfo | undefined {
  const { N, H, W, C, OH, OW, kH, kW, sh, sw, padTop, padLeft } = g;
  if (C % 4 !== 0 || x.dtype !== "float32") return undefined;
  const kernel = heapModule<{ poolImage: PoolImageFn }>(scope.backend, "max-pool-grad", () => [{ name: "poolImage", fn: poolImageFunction() }])?.poolImage;
  if (!kernel) return undefined;
  // Padded extent every window lies in; input rows/cols beyond it are read by no window.
  const Hp = Math.max((OH - 1) * sh + kH, padTop + H);
  const Wp = Math.max((OW - 1) * sw + kW, padLeft + W);
  const bottom = Hp - padTop - H;
  const right = Wp - padLeft - W;
  const padded = padTop > 0 || padLeft > 0 || bottom > 0 || right > 0;
  const xp = padded
    ? scope.run("PadV2", { x }, { paddings: [[0, 0], [padTop, bottom], [padLeft, right], [0, 0]], constantValue: -Infinity })
    : x;
  const dxp = scope.alloc([N, Hp, Wp, C]);
  scope.fill(dxp, 0);
  const offs = scope.alloc([kH * kW]);
  const heap = heapF32(scope.backend);
  const taps = new Int32Array(heap.buffer, scope.offsetOf(offs), kH * kW);
  for (let ki = 0; ki < kH; ki++) for (let kj = 0; kj < kW; kj++) taps[ki * kW + kj] = (ki * Wp + kj) * C * 4;
  const xBase = scope.offsetOf(xp);
  const delta = scope.offsetOf(dxp) - xBase;
  const imageBytes = Hp * Wp * C * 4;
  const outBytes = OH * OW * C * 4;
  for (let n = 0; n < N; n++) {
    kernel(xBase + n * imageBytes, scope.offsetOf(y) + n * outBytes, scope.offsetOf(dy) + n * outBytes, delta, OH, OW, C * 4, sh * Wp * C * 4, sw * C * 4, scope.offsetOf(offs), kH * kW);
  }
  scope.free(offs);
  if (!padded) return dxp;
  scope.release(xp);
  const dx = scope.cropNHWC(dxp, padTop, padLeft, H, W);
  scope.free(dxp);
  return dx;
}
