/**
 * Mean over non-innermost axes as a halving tree of XNNPACK adds (util/tree-reduce.ts); the
 * stock kernel transposes first and is too slow for training. Wraps the stock kernel: innermost
 * reductions, int dtypes and small tensors go to it.
 */
import type { WasmKernelConfig } from "../types";
import { treeReduceKernel } from "../util/tree-reduce";

export const meanConfig: WasmKernelConfig = { kernelName: "Mean", backendName: "wasm", kernelFunc: treeReduceKernel("Mean"), wraps: "Mean", group: "faster" };
