/**
 * A hand-written wasm SIMD kernel for the conv weight gradient, running directly on the tfjs
 * wasm heap (it imports the backend's memory).
 *
 *   dW[(kh, kw, c), co] = Σ_{n, oh, ow} xpad[n, oh·s + kh·d, ow·s + kw·d, c] · dy[n, oh, ow, co]
 *
 * WHY: through XNNPACK the gradient is a GEMM whose right-hand side is activation-sized, and
 * XNNPACK re-packs that operand on every call (~5-12 ns/element). For layers with few input
 * channels (a 3-channel stem does 27 FLOPs per packed float) packing dominates. This kernel
 * reads x and dy in their natural NHWC layouts — no transpose, no im2col, no packing — with
 * XNNPACK's 4x8 "splat" micro-tile: 4 (tap, channel) rows × 8 output channels in 8 v128
 * accumulators; per pixel 2 vector loads of dy, 4 broadcast loads of x, 8 mul + 8 add.
 * Pixels are processed in blocks of output rows small enough to stay in L2.
 */
import * as tf from "@tensorflow/tfjs";
import type { ConvGeometry } from "../util/conv-geometry";
import { heapModule } from "../wasm/heap-module";
import { FunctionBuilder, I32, V128 } from "../../util/wasm-asm";
import { heapF32, type WasmBackendLike, WasmScope } from "../wasm/scope";

type PanelFn = (
  x: number,
  dy: number,
  out: number,
  offs: number,
  groups: number,
  coBlocks: number,
  rows: number,
  ow: number,
  xPix: number,
  xRow: number,
  dyPix: number,
  outRow: number,
) => void;

/** The kernel's function body (see file comment for the loop nest). */
function panelFunction(): FunctionBuilder {
  const f = new FunctionBuilder(new Array(12).fill(I32));
  const [X, DY, OUT, OFFS, GROUPS, COB, ROWS, OW, XPIX, XROW, DYPIX, OUTROW] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const g = f.local(I32);
  const cb = f.local(I32);
  const r = f.local(I32);
  const o = [f.local(I32), f.local(I32), f.local(I32), f.local(I32)];
  const ob = [f.local(I32), f.local(I32), f.local(I32), f.local(I32)];
  const xr = f.local(I32);
  const dr = f.local(I32);
  const xp = f.local(I32);
  const dp = f.local(I32);
  const end = f.local(I32);
  const dyRow = f.local(I32);
  const acc = Array.from({ length: 8 }, () => f.local(V128));
  const b0 = f.local(V128);
  const b1 = f.local(V128);
  const a = f.local(V128);

  f.get(OW).get(DYPIX).mul().set(dyRow);
  f.forRange(g, { local: GROUPS }, () => {
    for (let i = 0; i < 4; i++) f.get(OFFS).get(g).i32(16).mul().add().loadI32(4 * i).set(o[i]);
    f.forRange(cb, { local: COB }, () => {
      // Tile rows: out + (4g + i)·outRow + 32·cb.
      f.get(OUT).get(g).i32(4).mul().get(OUTROW).mul().add().get(cb).i32(32).mul().add().set(ob[0]);
      for (let i = 1; i < 4; i++) f.get(ob[i - 1]).get(OUTROW).add().set(ob[i]);
      for (let i = 0; i < 4; i++) {
        f.get(ob[i]).loadV(0).set(acc[2 * i]);
        f.get(ob[i]).loadV(16).set(acc[2 * i + 1]);
      }
      f.get(X).set(xr);
      f.get(DY).get(cb).i32(32).mul().add().set(dr);
      f.forRange(r, { local: ROWS }, () => {
        f.get(xr).set(xp);
        f.get(dr).tee(dp).get(dyRow).add().set(end);
        f.loop();
        f.get(dp).loadV(0).set(b0);
        f.get(dp).loadV(16).set(b1);
        for (let i = 0; i < 4; i++) {
          f.get(xp).get(o[i]).add().loadSplat(0).set(a);
          f.get(acc[2 * i]).get(a).get(b0).f32x4Mul().f32x4Add().set(acc[2 * i]);
          f.get(acc[2 * i + 1]).get(a).get(b1).f32x4Mul().f32x4Add().set(acc[2 * i + 1]);
        }
        f.inc(xp, { local: XPIX });
        f.inc(dp, { local: DYPIX });
        f.get(dp).get(end).ltU().brIf(0);
        f.end();
        f.inc(xr, { local: XROW });
        f.inc(dr, { local: dyRow });
      });
      for (let i = 0; i < 4; i++) {
        f.get(ob[i]).get(acc[2 * i]).storeV(0);
        f.get(ob[i]).get(acc[2 * i + 1]).storeV(16);
      }
    });
  });
  return f;
}

/** The compiled kernel bound to `backend`'s memory, or undefined when SIMD/memory is unavailable. */
export function simdPanelKernel(backend: WasmBackendLike): PanelFn | undefined {
  return heapModule<{ panel: PanelFn }>(backend, "filter-grad", () => [{ name: "panel", fn: panelFunction() }])?.panel;
}

/** Output rows per kernel call: a block of dy of about this many floats (L2-sized with its x rows). */
const BLOCK_FLOATS = 32768;

/**
 * dW [KH, KW, C, CO] with the SIMD kernel (NHWC x, dy); undefined when the kernel is unavailable.
 * The result belongs to `scope`.
 */
export function simdFilterGrad(scope: WasmScope, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo | undefined {
  const panel = simdPanelKernel(scope.backend);
  if (!panel) return undefined;
  const { N, H, W, C, OH, OW, CO, KH, KW, sh, sw, dh, dw, padTop, padLeft } = g;
  // Padded extent the kernel reads: rows up to (OH-1)·sh + (KH-1)·dh.
  const Hp = (OH - 1) * sh + (KH - 1) * dh + 1;
  const Wp = (OW - 1) * sw + (KW - 1) * dw + 1;
  const bottom = Hp - H - padTop;
  const right = Wp - W - padLeft;
  const xu = bottom < 0 || right < 0 ? scope.cropNHWC(x, 0, 0, H + Math.min(0, bottom), W + Math.min(0, right)) : x;
  const xp =
    padTop > 0 || padLeft > 0 || bottom > 0 || right > 0
      ? scope.run("PadV2", { x: xu }, { paddings: [[0, 0], [padTop, Math.max(0, bottom)], [padLeft, Math.max(0, right)], [0, 0]], constantValue: 0 })
      : xu;
  if (xp !== xu) scope.release(xu);
  const COp = Math.ceil(CO / 8) * 8;
  const dyp = COp === CO ? dy : scope.run("PadV2", { x: dy }, { paddings: [[0, 0], [0, 0], [0, 0], [0, COp - CO]], constantValue: 0 });
  const R = KH * KW * C;
  const groups = Math.ceil(R / 4);
  const out = scope.alloc([groups * 4, COp]);
  scope.fill(out, 0);
  // Byte offset of row (kh, kw, c) from a pixel's base in xpad.
  const offs = scope.alloc([groups * 4]);
  const heap = heapF32(scope.backend);
  const offsI32 = new Int32Array(heap.buffer, scope.offsetOf(offs), groups * 4);
  for (let i = 0; i < groups * 4; i++) {
    if (i >= R) {
      offsI32[i] = 0; // padding rows: computed, never stored back
      continue;
    }
    const t = Math.floor(i / C);
    const c = i % C;
    const kh = Math.floor(t / KW);
    const kw = t % KW;
    offsI32[i] = ((kh * dh * Wp + kw * dw) * C + c) * 4;
  }
  const xBase = scope.offsetOf(xp);
  const dyBase = scope.offsetOf(dyp);
  const outBase = scope.offsetOf(out);
  const offsBase = scope.offsetOf(offs);
  const rowsPerBlock = Math.max(1, Math.min(OH, Math.floor(BLOCK_FLOATS / (OW * COp))));
  for (let n = 0; n < N; n++) {
    for (let oh0 = 0; oh0 < OH; oh0 += rowsPerBlock) {
      const rows = Math.min(rowsPerBlock, OH - oh0);
      const xAt = xBase + ((n * Hp + oh0 * sh) * Wp * C) * 4;
      const dyAt = dyBase + ((n * OH + oh0) * OW * COp) * 4;
      panel(xAt, dyAt, outBase, offsBase, groups, COp / 8, rows, OW, sw * C * 4, sh * Wp * C * 4, COp * 4, COp * 4);
    }
  }
  scope.free(offs);
  scope.release(xp);
  scope.release(dyp);
  if (groups * 4 === R && COp === CO) return scope.reshape(out, [KH, KW, C, CO]);
  // Drop the padding rows / columns.
  const dW = scope.alloc([KH, KW, C, CO]);
  const h2 = heapF32(scope.backend);
  const src = scope.offsetOf(out) >>> 2;
  const dst = scope.offsetOf(dW) >>> 2;
  for (let i = 0; i < R; i++) h2.copyWithin(dst + i * CO, src + i * COp, src + i * COp + CO);
  scope.free(out);
  return dW;
}
