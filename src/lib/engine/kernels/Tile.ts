/**
 * Tile for the wasm backend when it is a plain repetition of the whole input, e.g.
 * [1, 1, 1, C] × [N, H, W, 1] — the broadcast tfjs' batch-norm gradient builds for every BN
 * layer. The stock kernel is a per-element C++ loop (~50 ns/element: ~25 % of a SimpleCNN
 * training step); here the output is filled by doubling memmoves (log2(reps) copies).
 * Wraps the stock kernel: other tilings go to it.
 */
import * as tf from "@tensorflow/tfjs";
import type { KernelArgs, WasmKernelConfig } from "../types";
import { callWrapped } from "../util/wrapped-kernels";
import { checkWasmInternals, heapF32, sizeOf, WasmScope } from "../wasm/scope";

/** Number of whole-input repetitions when `reps` tiles x as one contiguous block; else 0. */
export function wholeRepeats(shape: readonly number[], reps: readonly number[]): number {
  if (reps.length !== shape.length) return 0;
  let last = -1;
  for (let i = 0; i < reps.length; i++) if (reps[i] !== 1) last = i;
  if (last < 0) return 1;
  // Axes before the last repeated one must have size 1 (except axis 0), so that the output is
  // x repeated back to back.
  for (let i = 1; i <= last; i++) if (shape[i] !== 1) return 0;
  if (last > 0 && shape[0] !== 1) return 0;
  let n = 1;
  for (let i = 0; i <= last; i++) n *= reps[i];
  return n;
}

function tile(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const x = args.inputs.x as tf.TensorInfo;
  const reps = (args.attrs as unknown as { reps: number[] }).reps;
  const fallback = () => callWrapped("Tile", args);
  if (x.dtype !== "float32") return fallback();
  const n = wholeRepeats(x.shape, reps);
  const block = sizeOf(x.shape);
  if (n < 2 || block === 0) return fallback();
  const backend = checkWasmInternals(args.backend);
  const scope = new WasmScope(backend);
  try {
    const shape = x.shape.map((d, i) => d * reps[i]);
    const out = scope.alloc(shape);
    const total = block * n;
    const heap = heapF32(backend);
    const dst = scope.offsetOf(out) >>> 2;
    const src = scope.offsetOf(x) >>> 2;
    heap.copyWithin(dst, src, src + block);
    for (let filled = block; filled < total; ) {
      const len = Math.min(filled, total - filled);
      heap.copyWithin(dst + filled, dst, dst + len);
      filled += len;
    }
    return scope.keep(out);
  } finally {
    scope.dispose();
  }
}

export const tileConfig: WasmKernelConfig = { kernelName: "Tile", backendName: "wasm", kernelFunc: tile, wraps: "Tile", group: "faster" };
