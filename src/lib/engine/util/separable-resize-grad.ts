/**
 * ResizeNearestNeighborGrad / ResizeBilinearGrad for the wasm backend (kernels/). The stock 4.22 kernels
 * are wrong (nearest: gradients land on transposed positions; bilinear: returns height and
 * width swapped), which silently breaks U-Net decoders (UpSampling2D) on wasm.
 *
 * Both resizes are separable: out = Rh · x · Rwᵀ with Rh [OH, H] (one-hot rows for nearest,
 * two lerp weights for bilinear), so dx = Rhᵀ · dy · Rw — two XNNPACK matmuls. The weights
 * follow the cpu backend's gradient kernels exactly (same scale and rounding rules).
 * Integer nearest up-sampling (UpSampling2D) takes a fast path: dx = f_h·f_w · AvgPool(dy, f).
 */
import * as tf from "@tensorflow/tfjs";
import type { KernelArgs, KernelFunc } from "../types";
import { callWrapped } from "./wrapped-kernels";
import { checkWasmInternals, WasmScope } from "../wasm/scope";

function effectiveScale(inSize: number, outSize: number, alignCorners: boolean): number {
  const effIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  return effIn / effOut;
}

/** Source index of every output index (cpu ResizeNearestNeighborGrad's rule). */
export function nearestSources(inSize: number, outSize: number, alignCorners: boolean): number[] {
  const scale = effectiveScale(inSize, outSize, alignCorners);
  const src: number[] = [];
  for (let o = 0; o < outSize; o++) {
    const f = scale * o;
    src.push(Math.min(inSize - 1, alignCorners ? Math.round(f) : Math.floor(f)));
  }
  return src;
}

/** Rᵀ [inSize, outSize]: the transposed resize matrix along one axis. */
export function resizeMatrixT(inSize: number, outSize: number, alignCorners: boolean, kind: "nearest" | "bilinear"): Float32Array {
  const m = new Float32Array(inSize * outSize);
  if (kind === "nearest") {
    nearestSources(inSize, outSize, alignCorners).forEach((s, o) => (m[s * outSize + o] += 1));
    return m;
  }
  const scale = effectiveScale(inSize, outSize, alignCorners);
  for (let o = 0; o < outSize; o++) {
    const f = o * scale;
    const top = Math.floor(f);
    const bottom = Math.min(Math.ceil(f), inSize - 1);
    const lerp = f - top;
    m[top * outSize + o] += 1 - lerp;
    m[bottom * outSize + o] += lerp;
  }
  return m;
}

/** The integer factor when nearest resizing is plain block replication along an axis; else 0. */
function blockFactor(inSize: number, outSize: number, alignCorners: boolean): number {
  if (outSize % inSize !== 0) return 0;
  const f = outSize / inSize;
  const src = nearestSources(inSize, outSize, alignCorners);
  return src.every((s, o) => s === Math.floor(o / f)) ? f : 0;
}

function separableGrad(
  scope: WasmScope,
  dy: tf.TensorInfo,
  H: number,
  W: number,
  alignCorners: boolean,
  kind: "nearest" | "bilinear",
): tf.TensorInfo {
  const [N, OH, OW, C] = dy.shape;
  const rhT = scope.fromValues([H, OH], resizeMatrixT(H, OH, alignCorners, kind));
  const rwT = scope.fromValues([W, OW], resizeMatrixT(W, OW, alignCorners, kind));
  // Rows: t1[n] = Rhᵀ [H, OH] · dy[n] [OH, OW·C].
  const t1 = scope.alloc([N * H, OW, C]);
  for (let n = 0; n < N; n++) {
    const dyn = scope.view(dy, n * OH * OW * C, [OH, OW * C]);
    const p = scope.run("BatchMatMul", { a: rhT, b: dyn }, { transposeA: false, transposeB: false });
    scope.free(dyn);
    scope.copyInto(t1, n * H * OW * C, p);
    scope.free(p);
  }
  // Columns: [N·H, OW, C] → [OW, N·H·C]; Rwᵀ [W, OW] · that → [W, N·H, C] → [N·H, W, C].
  const t2 = scope.run("Transpose", { x: t1 }, { perm: [1, 0, 2] });
  scope.free(t1);
  const t3 = scope.run("BatchMatMul", { a: rwT, b: scope.reshape(t2, [OW, N * H * C]) }, { transposeA: false, transposeB: false });
  scope.free(t2);
  const t4 = scope.run("Transpose", { x: scope.reshape(t3, [W, N * H, C]) }, { perm: [1, 0, 2] });
  scope.free(t3);
  return scope.reshape(t4, [N, H, W, C]);
}

/** The kernel function of ResizeNearestNeighborGrad ("nearest") or ResizeBilinearGrad ("bilinear"). */
export function resizeGradKernel(kind: "nearest" | "bilinear"): KernelFunc {
  const kernelName = kind === "nearest" ? "ResizeNearestNeighborGrad" : "ResizeBilinearGrad";
  return (args: KernelArgs) => {
    const images = args.inputs.images as tf.TensorInfo;
    const dy = args.inputs.dy as tf.TensorInfo;
    const alignCorners = Boolean((args.attrs as unknown as { alignCorners?: boolean }).alignCorners);
    if (images.shape.length !== 4 || dy.dtype !== "float32") return callWrapped(kernelName, args);
    const [, H, W] = images.shape;
    const [, OH, OW] = dy.shape;
    const backend = checkWasmInternals(args.backend);
    const scope = new WasmScope(backend);
    try {
      if (kind === "nearest") {
        const fh = blockFactor(H, OH, alignCorners);
        const fw = blockFactor(W, OW, alignCorners);
        if (fh > 0 && fw > 0) {
          if (fh === 1 && fw === 1) return scope.keep(scope.run("Identity", { x: dy }));
          const avg = scope.run("AvgPool", { x: dy }, { filterSize: [fh, fw], strides: [fh, fw], pad: "valid", dimRoundingMode: undefined });
          const k = scope.alloc([]);
          scope.fill(k, fh * fw);
          const sum = scope.run("Multiply", { a: avg, b: k });
          return scope.keep(sum);
        }
      }
      return scope.keep(separableGrad(scope, dy, H, W, alignCorners, kind));
    } finally {
      scope.dispose();
    }
  };
}
