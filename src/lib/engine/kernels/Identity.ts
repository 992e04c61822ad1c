/**
 * Identity for the wasm backend as a zero-copy alias (a reference-counted share of the input
 * buffer, as the cpu backend and wasm's own Reshape do).
 *
 * WHY: the tfjs engine clones every tensor a gradient needs (`saveTensorsForBackwardMode`),
 * and the stock wasm Identity copies the data — so on wasm every saved activation existed
 * twice until the backward pass (memory) and was copied once (time). Tensors are immutable
 * and no wasm kernel writes into its inputs, so sharing the buffer is safe.
 *
 * It also sweeps Conv2DBackpropInput's filter cache first on every call: the engine clones each
 * saved tensor at the start of a forward pass, which makes Identity a cheap hook to free cached
 * filters of weights an optimiser step just replaced, before the new activations pile up.
 * Wraps the stock kernel: string tensors go to it.
 */
import type * as tf from "@tensorflow/tfjs";
import type { KernelArgs, WasmKernelConfig } from "../types";
import { sweepPhaseFilterCache } from "../util/phase-filter-cache";
import { callWrapped } from "../util/wrapped-kernels";
import { aliasOf } from "../wasm/scope";

function identity(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  sweepPhaseFilterCache();
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === "string") return callWrapped("Identity", args);
  return aliasOf(args.backend, x);
}

export const identityConfig: WasmKernelConfig = { kernelName: "Identity", backendName: "wasm", kernelFunc: identity, wraps: "Identity", group: "faster" };
