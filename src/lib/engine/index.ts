/**
 * Portable CPU training on the TensorFlow.js wasm backend (see docs/wasm-backend.md).
 *
 *   enableWasmThreads(2);                 // optional, BEFORE tf.setBackend("wasm")
 *   await tf.setBackend("wasm");
 *   registerWasmTrainingKernels();        // adds / fixes / speeds up the training kernels
 *   recommendedMicroBatch("resnet50", 224) // micro-batch that fits the 4 GiB heap
 */
export {
  registerWasmTrainingKernels,
  registeredWasmTrainingKernels,
  releaseWasmKernelCaches,
  WASM_FASTER_TRAINING_KERNELS,
  WASM_FIXED_TRAINING_KERNELS,
  WASM_MISSING_TRAINING_KERNELS,
  WASM_TRAINING_KERNELS,
  type RegisterOptions,
} from "./wasm-kernels";
export { enableWasmThreads, requestedWasmThreads, type WasmThreadsResult } from "./threads";
export { wasmStatus, type WasmStatus } from "./status";
export {
  HEAP_BUDGET_FRACTION,
  MEASURED_HEAP,
  recommendedMicroBatch,
  WASM_HEAP_MAX_BYTES,
  wasmHeapInfo,
  type MicroBatchMeasurement,
  type WasmHeapInfo,
} from "./memory";
