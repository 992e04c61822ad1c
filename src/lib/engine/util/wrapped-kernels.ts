/**
 * The stock wasm kernels our wrapping kernels replaced (WasmKernelConfig.wraps), kept at
 * registration so each wrapper can hand them the calls it does not cover.
 */
import type { KernelArgs, KernelFunc } from "../types";

const wrapped = new Map<string, KernelFunc>();

/** Records the kernel function that `name` wrapped (undefined: it had none). */
export function setWrappedKernel(name: string, fn: KernelFunc | undefined): void {
  if (fn) wrapped.set(name, fn);
  else wrapped.delete(name);
}

/** Runs the wrapped stock kernel of `name`; a clear error when there was none to wrap. */
export function callWrapped(name: string, args: KernelArgs): ReturnType<KernelFunc> {
  const fn = wrapped.get(name);
  if (!fn) throw new Error(`${name} (wasm): this call needs the stock kernel, which is missing`);
  return fn(args);
}
