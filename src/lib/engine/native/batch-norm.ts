/**
 * The batch-norm passes of simd/batch-norm.ts in the native addon (multi-threaded, float64
 * partial sums), used when the addon is registered (registerWasmTrainingKernels({ native }))
 * and enabled; see src/native/batch_norm.cc.
 */
import { heapU8, type WasmScope } from "../wasm/scope";
import { nativeEnabled } from "./addon";

export interface NativeBatchNormPasses {
  bnSums(kind: 0 | 1 | 2, heap: Uint8Array, params: Float64Array, out: Float64Array): void;
  bnApply(kind: 0 | 1, heap: Uint8Array, params: Float64Array): void;
}

let nativeBn: NativeBatchNormPasses | undefined;

export function setNativeBatchNormPasses(passes: NativeBatchNormPasses | undefined): void {
  nativeBn = passes;
}

/** The addon's passes when registered and enabled, else undefined (the SIMD passes run). */
export function nativeBatchNormPasses(): NativeBatchNormPasses | undefined {
  return nativeBn && nativeEnabled() ? nativeBn : undefined;
}

/** Calls of the addon's passes (tests check the native path really ran). */
export const nativeBatchNormStats = { passes: 0 };

/** kind 0: [Σx], 1: [Σ(x−mean)²], 2: [Σdy, Σdy·(x−mean)] per channel, in float64. */
export function nativeSums(n: NativeBatchNormPasses, s: WasmScope, kind: 0 | 1 | 2, x: number, dy: number, M: number, C: number, mean: number): Float64Array[] {
  nativeBatchNormStats.passes++;
  const out = new Float64Array((kind === 2 ? 2 : 1) * C);
  n.bnSums(kind, heapU8(s.backend), Float64Array.of(x, dy, M, C, mean), out);
  return kind === 2 ? [out.subarray(0, C), out.subarray(C)] : [out];
}
