/**
 * Identity and same-dtype Cast for the wasm backend as zero-copy aliases (a reference-counted
 * share of the input buffer, as the cpu backend and wasm's own Reshape do).
 *
 * WHY: the tfjs engine clones every tensor a gradient needs (`saveTensorsForBackwardMode`),
 * and the stock wasm Identity/Cast copy the data — so on wasm every saved activation existed
 * twice until the backward pass (memory) and was copied once (time). Tensors are immutable
 * and no wasm kernel writes into its inputs, so sharing the buffer is safe.
 */
import * as tf from "@tensorflow/tfjs";
import type { StockKernel } from "./fast-reduce";
import { checkWasmInternals } from "./wasm-scope";

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

function alias(args: KernelArgs, x: tf.TensorInfo): tf.TensorInfo {
  const backend = checkWasmInternals(args.backend);
  backend.incRef(x.dataId as object);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
}

/**
 * `onCall` runs first on every call: the engine clones each saved tensor at the start of a
 * forward pass, which makes Identity a cheap hook to free cached filters of weights an
 * optimiser step just replaced, before the new activations pile up.
 */
export function makeIdentityKernel(stock: StockKernel | undefined, onCall?: () => void): StockKernel {
  return (args: KernelArgs) => {
    onCall?.();
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === "string") {
      if (!stock) throw new Error("Identity (wasm): stock kernel missing");
      return stock(args);
    }
    return alias(args, x);
  };
}

export function makeCastKernel(stock: StockKernel | undefined): StockKernel {
  return (args: KernelArgs) => {
    const x = args.inputs.x as tf.TensorInfo;
    const dtype = (args.attrs as unknown as { dtype: tf.DataType }).dtype;
    if (dtype === x.dtype && dtype !== "string") return alias(args, x);
    if (!stock) throw new Error("Cast (wasm): stock kernel missing");
    return stock(args);
  };
}
