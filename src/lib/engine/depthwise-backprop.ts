/**
 * Depthwise conv backprops for the wasm backend (both missing upstream). Filter [KH, KW, C, m],
 * dy [N, OH, OW, C·m] (channel c·m + j comes from input channel c).
 *
 * Input gradient: a depthwise conv over dy with the 180°-rotated filter (one XNNPACK
 *   depthwise conv over the C·m channels, then a sum over the m multipliers). Strided convs
 *   first spread dy onto the stride grid with zeros (PadV2 on channels + DepthToSpace).
 * Filter gradient: per tap, the same zero-copy window of the phase-layout input used by
 *   Conv2DBackpropFilter, multiplied elementwise with channel-major dy and summed over pixels
 *   (an innermost-axis reduction, which wasm does without a transpose).
 */
import * as tf from "@tensorflow/tfjs";
import { gridDy, phaseGrid, phaseLayout } from "./conv2d-backprop-filter";
import type { ConvGeometry, PadAttr } from "./conv-geometry";
import { checkWasmInternals, WasmScope } from "./wasm-scope";

interface DepthwiseAttrsLike {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: PadAttr;
  dimRoundingMode?: "floor" | "round" | "ceil";
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

function pair(v: number | [number, number] | undefined): [number, number] {
  if (v == null) return [1, 1];
  return typeof v === "number" ? [v, v] : [v[0], v[1]];
}

/** Geometry of the depthwise conv, expressed like a dense conv with CO = C·m. */
function depthwiseGeometry(xShape: number[], filterShape: number[], attrs: DepthwiseAttrsLike): ConvGeometry & { m: number } {
  const [dh, dw] = pair(attrs.dilations);
  const [sh, sw] = pair(attrs.strides);
  if ((sh > 1 || sw > 1) && (dh > 1 || dw > 1)) {
    throw new Error(`depthwise backprop (wasm): strides [${sh},${sw}] and dilations [${dh},${dw}] cannot both exceed 1`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    [sh, sw],
    [dh, dw],
    attrs.pad,
    attrs.dimRoundingMode,
    true,
    "channelsLast",
  );
  return {
    N: info.batchSize,
    H: info.inHeight,
    W: info.inWidth,
    C: info.inChannels,
    OH: info.outHeight,
    OW: info.outWidth,
    CO: info.outChannels,
    KH: info.filterHeight,
    KW: info.filterWidth,
    sh,
    sw,
    dh,
    dw,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    m: filterShape[3],
  };
}

function checkFloat(name: string, ...ts: tf.TensorInfo[]): void {
  for (const t of ts) if (t.dtype !== "float32") throw new Error(`${name} (wasm): float32 inputs required, got ${t.dtype}`);
}

export function depthwiseBackpropInputKernel(args: KernelArgs): tf.TensorInfo {
  const backend = checkWasmInternals(args.backend);
  const attrs = args.attrs as unknown as DepthwiseAttrsLike;
  const dy = args.inputs.dy as tf.TensorInfo;
  const filter = args.inputs.filter as tf.TensorInfo;
  checkFloat("DepthwiseConv2dNativeBackpropInput", dy, filter);
  if (!attrs.inputShape) throw new Error("DepthwiseConv2dNativeBackpropInput (wasm): attr inputShape is required");
  const g = depthwiseGeometry(attrs.inputShape, filter.shape, attrs);
  const { N, H, W, C, OH, OW, KH, KW, sh, sw, dh, dw, padTop, padLeft, m } = g;
  const CM = C * m;
  const scope = new WasmScope(backend);
  try {
    // Spread dy onto the stride grid: dyz[n, oh·sh, ow·sw, :] = dy[n, oh, ow, :], zeros elsewhere.
    let dyz = dy;
    let Hz = OH;
    let Wz = OW;
    if (sh > 1 || sw > 1) {
      if (sh !== sw) throw new Error(`DepthwiseConv2dNativeBackpropInput (wasm): unequal strides [${sh},${sw}] are not supported`);
      const padded = scope.run("PadV2", { x: dy }, { paddings: [[0, 0], [0, 0], [0, 0], [0, (sh * sw - 1) * CM]], constantValue: 0 });
      dyz = scope.run("DepthToSpace", { x: padded }, { blockSize: sh, dataFormat: "NHWC" });
      scope.free(padded);
      Hz = OH * sh;
      Wz = OW * sw;
    }
    // Full correlation with the rotated filter: dx[ih] = Σ_kh dyz[ih + padTop - kh·dh] · W[kh].
    const top = (KH - 1) * dh - padTop;
    const left = (KW - 1) * dw - padLeft;
    let bottom = H + (KH - 1) * dh - Hz - top;
    let right = W + (KW - 1) * dw - Wz - left;
    if (top < 0 || left < 0) {
      throw new Error(`DepthwiseConv2dNativeBackpropInput (wasm): padding larger than the filter extent is not supported`);
    }
    if (bottom < 0 || right < 0) {
      // The last strided rows/cols of dyz hold zeros only: crop them.
      const cropped = scope.run("StridedSlice", { x: dyz }, {
        begin: [0, 0, 0, 0],
        end: [N, Hz + Math.min(0, bottom), Wz + Math.min(0, right), CM],
        strides: [1, 1, 1, 1],
        beginMask: 0,
        endMask: 0,
        ellipsisMask: 0,
        newAxisMask: 0,
        shrinkAxisMask: 0,
      });
      scope.release(dyz);
      dyz = cropped;
      bottom = Math.max(0, bottom);
      right = Math.max(0, right);
    }
    const rev = scope.run("Reverse", { x: filter }, { dims: [0, 1] });
    const wr = scope.reshape(rev, [KH, KW, CM, 1]);
    const conv = scope.run("DepthwiseConv2dNative", { x: dyz, filter: wr }, {
      strides: [1, 1],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dilations: [dh, dw],
      dimRoundingMode: undefined,
    });
    scope.free(rev);
    if (m === 1) return scope.keep(conv);
    const summed = scope.run("Sum", { x: scope.reshape(conv, [N, H, W, C, m]) }, { axis: [4], keepDims: false });
    return scope.keep(summed);
  } finally {
    scope.dispose();
  }
}

export function depthwiseBackpropFilterKernel(args: KernelArgs): tf.TensorInfo {
  const backend = checkWasmInternals(args.backend);
  const attrs = args.attrs as unknown as DepthwiseAttrsLike;
  const x = args.inputs.x as tf.TensorInfo;
  const dy = args.inputs.dy as tf.TensorInfo;
  checkFloat("DepthwiseConv2dNativeBackpropFilter", x, dy);
  if (!attrs.filterShape) throw new Error("DepthwiseConv2dNativeBackpropFilter (wasm): attr filterShape is required");
  const g = depthwiseGeometry(x.shape, attrs.filterShape, attrs);
  const { C, KH, KW, m } = g;
  const scope = new WasmScope(backend);
  try {
    const grid = phaseGrid(g);
    const rows = g.N * grid.Hq * grid.Wq;
    const xT = phaseLayout(scope, x, g, grid); // [sh, sw, C1, rows]
    const dyE = gridDy(scope, dy, g, grid); // [rows, C·m]
    const dyT = scope.run("Transpose", { x: dyE }, { perm: [1, 0] }); // [C·m, rows]
    scope.release(dyE);
    const dyT3 = scope.reshape(dyT, [C, m, rows]);
    const out = scope.alloc([KH, KW, C, m]);
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const tap = scope.view(xT, grid.tapOffset(kh, kw, rows), [C, 1, rows]);
        const prod = scope.run("Multiply", { a: tap, b: dyT3 });
        scope.free(tap);
        const s = scope.run("Sum", { x: prod }, { axis: [2], keepDims: false }); // [C, m]
        scope.free(prod);
        scope.copyInto(out, (kh * KW + kw) * C * m, s);
        scope.free(s);
      }
    }
    return scope.keep(out);
  } finally {
    scope.dispose();
  }
}
