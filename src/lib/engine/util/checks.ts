/** Input checks shared by the kernels (a clear error naming the kernel, never a crash inside tfjs). */
import type * as tf from "@tensorflow/tfjs";

/** Throws unless every tensor is float32. */
export function checkFloat32(kernelName: string, ...ts: tf.TensorInfo[]): void {
  for (const t of ts) if (t.dtype !== "float32") throw new Error(`${kernelName} (wasm): float32 inputs required, got ${t.dtype}`);
}

/** The epsilon attribute of the batch-norm kernels, checked (a number >= 0). */
export function epsilonOf(kernelName: string, attrs: tf.NamedAttrMap | undefined): number {
  const eps = attrs?.epsilon;
  if (typeof eps !== "number" || !(eps >= 0)) throw new Error(`${kernelName}: attribute epsilon must be a number >= 0, got ${String(eps)}`);
  return eps;
}
