/**
 * Hand-written wasm modules that run on the tfjs wasm heap: built once per heap memory (the
 * backend's `WebAssembly.Memory`, shared when threads are on) and cached.
 */
import { instantiateOn, type FunctionBuilder, type WasmMemoryLike } from "../../util/wasm-asm";
import type { WasmBackendLike } from "./scope";

const cache = new Map<string, WeakMap<object, Record<string, unknown> | null>>();

function heapMemory(backend: WasmBackendLike): WasmMemoryLike | undefined {
  return (backend.wasm.asm?.memory ?? backend.wasm.wasmMemory) as WasmMemoryLike | undefined;
}

/**
 * The exports of the module `key` (functions from `build`) bound to `backend`'s heap, or
 * undefined when the heap is not reachable or the engine lacks wasm SIMD (callers fall back).
 */
export function heapModule<T>(backend: WasmBackendLike, key: string, build: () => Array<{ name: string; fn: FunctionBuilder }>): T | undefined {
  const memory = heapMemory(backend);
  if (!memory) return undefined;
  let perMemory = cache.get(key);
  if (!perMemory) cache.set(key, (perMemory = new WeakMap()));
  let exports = perMemory.get(memory);
  if (exports === undefined) {
    try {
      exports = instantiateOn(memory, build());
    } catch {
      exports = null; // no SIMD in this engine
    }
    perMemory.set(memory, exports);
  }
  return exports === null ? undefined : (exports as T);
}
