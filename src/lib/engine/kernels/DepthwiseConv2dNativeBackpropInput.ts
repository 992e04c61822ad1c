/**
 * DepthwiseConv2dNativeBackpropInput for the wasm backend (missing upstream). Filter
 * [KH, KW, C, m], dy [N, OH, OW, C·m] (channel c·m + j comes from input channel c).
 *
 * dx is a depthwise conv over dy with the 180°-rotated filter (one XNNPACK depthwise conv over
 * the C·m channels, then a sum over the m multipliers). Strided convs first spread dy onto the
 * stride grid with zeros (PadV2 on channels + DepthToSpace).
 */
import * as tf from "@tensorflow/tfjs";
import type { KernelArgs, WasmKernelConfig } from "../types";
import { depthwiseGeometry, type DepthwiseAttrs } from "../util/conv-geometry";
import { checkFloat32 } from "../util/checks";
import { checkWasmInternals, WasmScope } from "../wasm/scope";

function depthwiseConv2dNativeBackpropInput(args: KernelArgs): tf.TensorInfo {
  const backend = checkWasmInternals(args.backend);
  const attrs = args.attrs as unknown as DepthwiseAttrs;
  const dy = args.inputs.dy as tf.TensorInfo;
  const filter = args.inputs.filter as tf.TensorInfo;
  checkFloat32("DepthwiseConv2dNativeBackpropInput", dy, filter);
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


/** Missing upstream: added. */
export const depthwiseConv2dNativeBackpropInputConfig: WasmKernelConfig = {
  kernelName: "DepthwiseConv2dNativeBackpropInput",
  backendName: "wasm",
  kernelFunc: depthwiseConv2dNativeBackpropInput,
  group: "missing",
};
