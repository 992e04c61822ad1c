/**
 * The stride-phase layout of a conv input shared by the filter gradients (Conv2DBackpropFilter's
 * XNNPACK path, DepthwiseConv2dNativeBackpropFilter): x padded (spatially, plus one zero channel)
 * and split into its s×s stride phases, channel-major: [sh, sw, C1, rows], rows = images·Hq·Wq.
 * For tap (kh, kw), "x at that tap" is a window of one phase block shifted by a·Wq + b elements,
 * so its rows are contiguous and feed XNNPACK as zero-copy views.
 */
import type * as tf from "@tensorflow/tfjs";
import type { ConvGeometry } from "./conv-geometry";
import type { WasmScope } from "../wasm/scope";

/** Grid of the stride-phase layout for a conv geometry (see the file comment). */
export interface PhaseGrid {
  Hq: number;
  Wq: number;
  /** Channels in the layout: C plus one zero channel when windows can run past a row. */
  C1: number;
  padBottom: number;
  padRight: number;
  /** Element offset of tap (kh, kw)'s window inside a phase-layout buffer of `rows` pixels. */
  tapOffset(kh: number, kw: number, rows: number): number;
}

export function phaseGrid(g: ConvGeometry): PhaseGrid {
  const { H, W, C, OH, OW, KH, KW, sh, sw, dh, dw, padTop, padLeft } = g;
  const maxA = Math.floor(((KH - 1) * dh) / sh);
  const maxB = Math.floor(((KW - 1) * dw) / sw);
  const Hq = OH + maxA;
  const Wq = OW + maxB;
  const C1 = C + (maxA * Wq + maxB > 0 ? 1 : 0);
  return {
    Hq,
    Wq,
    C1,
    padBottom: Hq * sh - H - padTop,
    padRight: Wq * sw - W - padLeft,
    tapOffset(kh, kw, rows) {
      const ph = (kh * dh) % sh;
      const pw = (kw * dw) % sw;
      const a = Math.floor((kh * dh) / sh);
      const b = Math.floor((kw * dw) / sw);
      return (ph * sw + pw) * C1 * rows + a * Wq + b;
    },
  };
}

/**
 * x chunk [nc, H, W, C] → phase layout [sh, sw, C1, nc·Hq·Wq] (padded, channel-major).
 * Intermediates are freed; the result belongs to the scope.
 */
export function phaseLayout(scope: WasmScope, xc: tf.TensorInfo, g: ConvGeometry, grid: PhaseGrid): tf.TensorInfo {
  const { H, W, C, sh, sw, padTop, padLeft } = g;
  const { Hq, Wq, C1, padBottom, padRight } = grid;
  const nc = xc.shape[0];
  // Crop rows/cols the conv never reads (valid padding with a stride), then pad.
  const xk =
    padBottom < 0 || padRight < 0 ? scope.cropNHWC(xc, 0, 0, H + Math.min(0, padBottom), W + Math.min(0, padRight)) : xc;
  const needPad = padTop > 0 || padLeft > 0 || padBottom > 0 || padRight > 0 || C1 > C;
  const xp = needPad
    ? scope.run("PadV2", { x: xk }, {
        paddings: [
          [0, 0],
          [padTop, Math.max(0, padBottom)],
          [padLeft, Math.max(0, padRight)],
          [0, C1 - C],
        ],
        constantValue: 0,
      })
    : xk;
  const rows = nc * Hq * Wq;
  const xT =
    sh === 1 && sw === 1
      ? scope.run("Transpose", { x: scope.reshape(xp, [rows, C1]) }, { perm: [1, 0] })
      : scope.run("Transpose", { x: scope.reshape(xp, [nc * Hq, sh, Wq, sw * C1]) }, { perm: [1, 3, 0, 2] });
  if (xp !== xk) scope.free(xp);
  if (xk !== xc) scope.free(xk);
  return xT;
}

/** dy chunk [nc, OH, OW, CO] zero-padded to the phase grid: [nc·Hq·Wq, CO]. */
export function gridDy(scope: WasmScope, dyc: tf.TensorInfo, g: ConvGeometry, grid: PhaseGrid): tf.TensorInfo {
  const { OH, OW } = g;
  const [nc, , , CO] = dyc.shape;
  const rows = nc * grid.Hq * grid.Wq;
  if (grid.Hq === OH && grid.Wq === OW) return scope.reshape(dyc, [rows, CO]);
  const p = scope.run("PadV2", { x: dyc }, { paddings: [[0, 0], [0, grid.Hq - OH], [0, grid.Wq - OW], [0, 0]], constantValue: 0 });
  return scope.reshape(p, [rows, CO]);
}

