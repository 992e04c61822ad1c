/**
 * Same-dtype Cast for the wasm backend as a zero-copy alias (see Identity.ts for why sharing
 * the buffer is safe). Wraps the stock kernel: real conversions go to it.
 */
import type * as tf from "@tensorflow/tfjs";
import type { KernelArgs, WasmKernelConfig } from "../types";
import { callWrapped } from "../util/wrapped-kernels";
import { aliasOf } from "../wasm/scope";

function cast(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const x = args.inputs.x as tf.TensorInfo;
  const dtype = (args.attrs as unknown as { dtype: tf.DataType }).dtype;
  if (dtype === x.dtype && dtype !== "string") return aliasOf(args.backend, x);
  return callWrapped("Cast", args);
}

export const castConfig: WasmKernelConfig = { kernelName: "Cast", backendName: "wasm", kernelFunc: cast, wraps: "Cast", group: "faster" };
