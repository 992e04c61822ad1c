/**
 * The one kernel-argument type and the one kernel-function type of the engine, and the shape of
 * the configs every file in kernels/ exports.
 */
import type * as tf from "@tensorflow/tfjs";

/** What tfjs hands a kernel function: input tensors, the backend instance, attributes. */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

/** A wasm kernel function (ours, a stock tfjs-backend-wasm one, or a native wrapper). */
export type KernelFunc = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/**
 * A kernel of this workspace on the wasm backend, as tfjs' KernelConfig (kernelName,
 * backendName, kernelFunc), plus:
 *  - `wraps`: the stock tfjs-backend-wasm kernel of the same name that this one replaces and
 *    hands every call it does not cover (util/wrapped-kernels.ts keeps it at registration);
 *  - `group`: why it is registered (see register-kernels.ts).
 */
export interface WasmKernelConfig {
  kernelName: string;
  backendName: "wasm";
  kernelFunc: KernelFunc;
  wraps?: string;
  group: "missing" | "fixed" | "faster" | "fused";
}
