/**
 * Sum / Mean over non-innermost axes for the wasm backend (kernels/Sum.ts, kernels/Mean.ts).
 *
 * The stock wasm kernels transpose the reduced axes to the end first (a scalar C++ transpose,
 * ~6 ns/element on big activations) — that made the batch-norm and bias gradients, which sum
 * [N, H, W, C] over N·H·W, ~20 % of a training step. Here a reduction over a contiguous block
 * of axes [A, M, R] → [A, R] is a halving tree of XNNPACK adds on zero-copy views
 * (rows [0, h) + rows [h, 2h)), ~2 memory passes in total. Pairwise summation is also more
 * accurate than a running sum. Innermost reductions and int dtypes go to the wrapped stock kernel.
 */
import * as tf from "@tensorflow/tfjs";
import type { KernelArgs, KernelFunc } from "../types";
import { callWrapped } from "./wrapped-kernels";
import { checkWasmInternals, WasmScope } from "../wasm/scope";

/** Above this many outer blocks the per-call overhead of the tree loses to the stock kernel. */
const MAX_OUTER_BLOCKS = 64;

/** [A, M, R] split when `axes` (sorted, normalised) are contiguous and not innermost; else undefined. */
export function reductionSplit(shape: readonly number[], axes: readonly number[]): [number, number, number] | undefined {
  if (axes.length === 0) return undefined;
  const sorted = [...axes].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1] + 1) return undefined;
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (last === shape.length - 1) return undefined; // innermost: the stock kernel is already fast
  let A = 1;
  let M = 1;
  let R = 1;
  for (let i = 0; i < shape.length; i++) {
    if (i < first) A *= shape[i];
    else if (i <= last) M *= shape[i];
    else R *= shape[i];
  }
  return [A, M, R];
}

/** Σ over rows of `x` viewed as [M, R] from element `offset` → [1, R] (a scope-owned buffer). */
function sumRows(scope: WasmScope, x: tf.TensorInfo, offset: number, M: number, R: number): tf.TensorInfo {
  if (M === 1) {
    const only = scope.view(x, offset, [1, R]);
    const copy = scope.alloc([1, R]);
    scope.copyInto(copy, 0, only);
    scope.free(only);
    return copy;
  }
  let cur = scope.view(x, offset, [M, R]); // a view first, then our own partial sums
  let rows = M;
  while (rows > 1) {
    const h = Math.floor(rows / 2);
    const lo = scope.view(cur, 0, [h, R]);
    const hi = scope.view(cur, h * R, [h, R]);
    const next = scope.run("Add", { a: lo, b: hi });
    scope.free(lo);
    scope.free(hi);
    if (rows % 2 === 1) {
      // Fold the odd last row into row 0.
      const last = scope.view(cur, 2 * h * R, [1, R]);
      const first = scope.view(next, 0, [1, R]);
      const s = scope.run("Add", { a: first, b: last });
      scope.free(last);
      scope.free(first);
      scope.copyInto(next, 0, s);
      scope.free(s);
    }
    scope.free(cur);
    cur = next;
    rows = h;
  }
  return cur;
}

function outShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  const set = new Set(axes);
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!set.has(i)) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

/** The kernel function of Sum or Mean. */
export function treeReduceKernel(kind: "Sum" | "Mean"): KernelFunc {
  return (args: KernelArgs) => {
    const x = args.inputs.x as tf.TensorInfo;
    const attrs = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const fallback = () => callWrapped(kind, args);
    if (x.dtype !== "float32" || x.shape.length === 0) return fallback();
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape);
    const split = reductionSplit(x.shape, axes);
    if (!split) return fallback();
    const [A, M, R] = split;
    if (A > MAX_OUTER_BLOCKS || M < 2 || A * M * R < 4096) return fallback();
    const backend = checkWasmInternals(args.backend);
    const scope = new WasmScope(backend);
    try {
      let out: tf.TensorInfo;
      if (A === 1) {
        out = sumRows(scope, x, 0, M, R);
      } else {
        out = scope.alloc([A, R]);
        for (let a = 0; a < A; a++) {
          const part = sumRows(scope, x, a * M * R, M, R);
          scope.copyInto(out, a * R, part);
          scope.free(part);
        }
      }
      if (kind === "Mean") {
        const d = scope.alloc([]);
        scope.fill(d, M);
        const q = scope.run("RealDiv", { a: out, b: d });
        scope.free(out);
        scope.free(d);
        out = q;
      }
      return scope.keep(scope.reshape(out, outShape(x.shape, axes, attrs.keepDims)));
    } finally {
      scope.dispose();
    }
  };
}
