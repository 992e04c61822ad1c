/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend (missing upstream). Filter
 * [KH, KW, C, m], dy [N, OH, OW, C·m] (channel c·m + j comes from input channel c).
 *
 * Per tap, the same zero-copy window of the phase-layout input used by Conv2DBackpropFilter
 * (util/phase-layout.ts), multiplied elementwise with channel-major dy and summed over pixels
 * (an innermost-axis reduction, which wasm does without a transpose).
 */
import type * as tf from "@tensorflow/tfjs";
import type { KernelArgs, WasmKernelConfig } from "../types";
import { checkFloat32 } from "../util/checks";
import { depthwiseGeometry, type DepthwiseAttrs } from "../util/conv-geometry";
import { gridDy, phaseGrid, phaseLayout } from "../util/phase-layout";
import { checkWasmInternals, WasmScope } from "../wasm/scope";

function depthwiseConv2dNativeBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const backend = checkWasmInternals(args.backend);
  const attrs = args.attrs as unknown as DepthwiseAttrs;
  const x = args.inputs.x as tf.TensorInfo;
  const dy = args.inputs.dy as tf.TensorInfo;
  checkFloat32("DepthwiseConv2dNativeBackpropFilter", x, dy);
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

/** Missing upstream: added. */
export const depthwiseConv2dNativeBackpropFilterConfig: WasmKernelConfig = {
  kernelName: "DepthwiseConv2dNativeBackpropFilter",
  backendName: "wasm",
  kernelFunc: depthwiseConv2dNativeBackpropFilter,
  group: "missing",
};
