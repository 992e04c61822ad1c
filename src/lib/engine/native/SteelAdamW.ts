/**
 * SteelAdamW: one AdamW update of one variable as a single kernel on the wasm heap, run by the
 * native addon (a multi-threaded loop). The tfjs composite it replaces (train/optimizers/
 * adamw.ts) is ten elementwise kernels over every weight — ~40 % of a ResNet-50 step once the
 * convolutions run on oneDNN. Same float32 operations in the same order: identical bits.
 *
 *   inputs  p, g, m, v (float32, same shape)
 *   attrs   decay (1 − lr·wd), beta1, beta2, bc2Sqrt (√(1 − β2^t)), epsilon, stepSize (lr / (1 − β1^t))
 *   outputs p', m', v'
 */
import * as tf from "@tensorflow/tfjs";
import { checkWasmInternals, heapU8, memoryOffsetOf, sizeOf } from "../wasm/scope";
import { nativeEnabled, type NativeConvAddon } from "./addon";

export const ADAMW_KERNEL = "SteelAdamW";

export interface AdamWAttrs {
  decay: number;
  beta1: number;
  beta2: number;
  bc2Sqrt: number;
  epsilon: number;
  stepSize: number;
}

export interface NativeAdamWAddon extends NativeConvAddon {
  adamw(heap: Uint8Array, params: Float64Array): void;
}

export function makeAdamWKernel(addon: NativeAdamWAddon): tf.KernelFunc {
  return (args) => {
    const backend = checkWasmInternals(args.backend);
    const { p, g, m, v } = args.inputs as Record<string, tf.TensorInfo>;
    const a = args.attrs as unknown as AdamWAttrs;
    for (const [k, t] of Object.entries({ p, g, m, v })) {
      if (!t || t.dtype !== "float32" || sizeOf(t.shape) !== sizeOf(p.shape)) {
        throw new Error(`${ADAMW_KERNEL}: input ${k} must be float32 of shape [${p?.shape}], got ${t ? `${t.dtype} [${t.shape}]` : "nothing"}`);
      }
    }
    const outs = [backend.makeOutput(p.shape, "float32"), backend.makeOutput(p.shape, "float32"), backend.makeOutput(p.shape, "float32")];
    const params = Float64Array.of(
      sizeOf(p.shape),
      memoryOffsetOf(backend, p),
      memoryOffsetOf(backend, g),
      memoryOffsetOf(backend, m),
      memoryOffsetOf(backend, v),
      ...outs.map((o) => memoryOffsetOf(backend, o)),
      a.decay,
      a.beta1,
      1 - a.beta1,
      a.beta2,
      1 - a.beta2,
      a.bc2Sqrt,
      a.epsilon,
      a.stepSize,
    );
    try {
      addon.adamw(heapU8(backend), params);
    } catch (err) {
      for (const o of outs) backend.disposeData(o.dataId as object);
      throw err;
    }
    return outs;
  };
}

/** True when the active backend has the fused update (wasm with the native addon). */
export function fusedAdamWAvailable(): boolean {
  return nativeEnabled() && tf.getKernel(ADAMW_KERNEL, tf.getBackend()) != null;
}
