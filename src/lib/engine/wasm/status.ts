/**
 * One-call summary of the wasm backend for the environment report.
 */
import * as tf from "@tensorflow/tfjs";
import { registeredWasmTrainingKernels } from "../register-kernels";
import { requestedWasmThreads } from "./threads";
import { wasmHeapInfo, type WasmHeapInfo } from "./memory";

export interface WasmStatus {
  /** The wasm backend has been initialised in this process. */
  initialized: boolean;
  /** SIMD binary in use (undefined before initialisation). */
  simd: boolean | undefined;
  /** XNNPACK threads actually running (1 = single-threaded; undefined before initialisation). */
  threads: number | undefined;
  /** Threads asked for with enableWasmThreads (0 = not asked). */
  threadsRequested: number;
  /** Our training kernels currently registered on wasm. */
  registeredTrainingKernels: string[];
  heap: WasmHeapInfo | undefined;
}

export function wasmStatus(): WasmStatus {
  const engine = tf.engine() as unknown as { registry: Record<string, unknown> };
  const initialized = engine.registry.wasm !== undefined;
  const flags = (tf.env() as unknown as { flags: Record<string, unknown> }).flags;
  let threads: number | undefined;
  if (initialized) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      threads = (require("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm")).getThreadsCount();
    } catch {
      threads = undefined;
    }
  }
  const simdFlag = flags["WASM_HAS_SIMD_SUPPORT"];
  return {
    initialized,
    simd: initialized && typeof simdFlag === "boolean" ? simdFlag : undefined,
    threads,
    threadsRequested: requestedWasmThreads(),
    registeredTrainingKernels: registeredWasmTrainingKernels(),
    heap: initialized ? wasmHeapInfo() : undefined,
  };
}
