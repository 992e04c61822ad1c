/**
 * Portable CPU training on the TensorFlow.js wasm backend (see docs/engine.md for the layers,
 * docs/wasm-backend.md and docs/native-backend.md for the details). Code outside engine/
 * imports from here only.
 *
 *   enableWasmThreads(2);                 // optional, BEFORE tf.setBackend("wasm")
 *   await tf.setBackend("wasm");
 *   registerWasmTrainingKernels();        // adds / fixes / speeds up the training kernels
 *   recommendedMicroBatch("resnet50", 224) // micro-batch that fits the 4 GiB heap
 */
export {
  registeredNativeKernels,
  registerWasmTrainingKernels,
  registeredWasmTrainingKernels,
  releaseWasmKernelCaches,
  WASM_FASTER_TRAINING_KERNELS,
  WASM_FIXED_TRAINING_KERNELS,
  WASM_FUSED_TRAINING_KERNELS,
  WASM_MISSING_TRAINING_KERNELS,
  WASM_TRAINING_KERNELS,
  type RegisterOptions,
} from "./register-kernels";
export type { KernelArgs, KernelFunc, WasmKernelConfig } from "./types";
export { batchNormTraining, canFuseBatchNorm } from "./batch-norm-training";
export { enableWasmThreads, patchedWorkerSource, requestedWasmThreads, type WasmThreadsResult } from "./wasm/threads";
export { wasmStatus, type WasmStatus } from "./wasm/status";
export {
  fitHeap,
  HEAP_BUDGET_FRACTION,
  MEASURED_HEAP,
  recommendedMicroBatch,
  WASM_HEAP_MAX_BYTES,
  wasmHeapInfo,
  type MicroBatchMeasurement,
  type WasmHeapInfo,
} from "./wasm/memory";
export { convGeometry, convMacs, type ConvGeometry } from "./util/conv-geometry";
export { loadNativeConvAddon, setNativeEnabled, type AddonLoad, type NativeConvAddon } from "./native/addon";
export { nativeConvStats, nativeParams, nativeThreadCount } from "./native/conv";
export { nativeBatchNormStats } from "./native/batch-norm";
export { ADAMW_KERNEL, fusedAdamWAvailable, type AdamWAttrs } from "./native/SteelAdamW";
