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
 * turns them into the requested batch. Why so much per image (ResNet-50: ~500 MiB at 224²,
 * PyTorch needs ~100): tfjs keeps every forward intermediate alive until the backward pass
 * (batch norm alone leaves ~5 activation-sized tensors per layer).
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

/** Peak wasm heap of one training step, measured per (model, micro-batch). */
export interface MicroBatchMeasurement {
  model: string;
  /** Square input side the model was measured at. */
  inputSize: number;
  /** [batch, peak heap MiB] of every successful probe. */
  points: Array<[number, number]>;
  /** Smallest batch that failed (the heap ceiling), if reached. */
  firstFailure?: number;
}

/**
 * bench/engine/probe-microbatch.ts, 2026-11-22: tfjs 4.22, wasm SIMD, 1 thread, Adam, float32,
 * the bench models of bench/engine/models.ts, this engine's kernels registered.
 * The first failing batch crashes inside wasm ("memory access out of bounds" / Aborted()).
 * Heap sizes are quantised: emscripten grows memory in ~20 % steps.
 */
export const MEASURED_HEAP: readonly MicroBatchMeasurement[] = [
  { model: "simplecnn", inputSize: 224, points: [[1, 192], [2, 367], [3, 639], [4, 796], [6, 1185], [8, 1440], [12, 2178], [16, 2868]], firstFailure: 24 },
  { model: "resnet50", inputSize: 224, points: [[1, 1804], [2, 2085], [3, 2675], [4, 3291]], firstFailure: 6 },
  { model: "unet", inputSize: 256, points: [[1, 1902], [2, 2004], [3, 2592], [4, 3197]], firstFailure: 6 },
];

/** Share of the heap ceiling a training step may use (headroom for data, fragmentation). */
export const HEAP_BUDGET_FRACTION = 0.75;

/** Least-squares fit peakMiB ≈ baseMiB + perImageMiB · batch of one measurement series. */
export function fitHeap(m: MicroBatchMeasurement): { baseMiB: number; perImageMiB: number } {
  const n = m.points.length;
  const mx = m.points.reduce((s, p) => s + p[0], 0) / n;
  const my = m.points.reduce((s, p) => s + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of m.points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) * (x - mx);
  }
  const perImageMiB = sxx > 0 ? sxy / sxx : my;
  return { baseMiB: my - perImageMiB * mx, perImageMiB };
}

const ALIASES: Record<string, string> = {
  unet_r34: "unet",
  "unet-resnet34": "unet",
  unet_resnet34: "unet",
  simple_cnn: "simplecnn",
  "simple-cnn": "simplecnn",
};

/**
 * Largest micro-batch for one wasm training step of `modelName` at `inputSize`² (RGB) that
 * keeps the peak heap within HEAP_BUDGET_FRACTION of the 4 GiB ceiling. The per-image cost
 * scales with the pixel count; the base (weights, Adam state, runtime) does not. Unknown
 * models use ResNet-50's fit (the heaviest measured per parameter). Always >= 1.
 */
export function recommendedMicroBatch(modelName: string, inputSize: number): number {
  if (!(inputSize > 0)) throw new Error(`recommendedMicroBatch: inputSize must be > 0, got ${inputSize}`);
  const key = modelName.toLowerCase();
  const name = ALIASES[key] ?? key;
  const m = MEASURED_HEAP.find((e) => e.model === name) ?? (MEASURED_HEAP.find((e) => e.model === "resnet50") as MicroBatchMeasurement);
  const { baseMiB, perImageMiB } = fitHeap(m);
  const budgetMiB = (HEAP_BUDGET_FRACTION * WASM_HEAP_MAX_BYTES) / 2 ** 20;
  const perImage = perImageMiB * ((inputSize * inputSize) / (m.inputSize * m.inputSize));
  return Math.max(1, Math.floor((budgetMiB - baseMiB) / perImage));
}
