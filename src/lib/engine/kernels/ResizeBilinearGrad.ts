/**
 * ResizeBilinearGrad for the wasm backend: the stock 4.22 kernel is wrong (returns height and width swapped), so it is always
 * replaced by the separable two-matmul gradient of util/separable-resize-grad.ts. Wraps the
 * stock kernel: non-4-D or non-float32 calls go to it.
 */
import type { WasmKernelConfig } from "../types";
import { resizeGradKernel } from "../util/separable-resize-grad";

export const resizeBilinearGradConfig: WasmKernelConfig = {
  kernelName: "ResizeBilinearGrad",
  backendName: "wasm",
  kernelFunc: resizeGradKernel("bilinear"),
  wraps: "ResizeBilinearGrad",
  group: "fixed",
};
