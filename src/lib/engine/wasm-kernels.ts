/**
 * Training kernels for the TensorFlow.js wasm backend (XNNPACK, SIMD). See docs/wasm-backend.md.
 *
 * tfjs-backend-wasm 4.22 runs inference fast but cannot train convnets: it registers no
 * Conv2DBackpropFilter (tfjs issue 8474) nor the depthwise backprops, three of its gradient
 * kernels are wrong, and several are far too slow (Conv2DBackpropInput is a scalar loop ~10x
 * slower than the forward conv). Call `registerWasmTrainingKernels()` once after
 * `tf.setBackend("wasm")` (before is fine too): it adds, fixes and speeds up those kernels,
 * all built from wasm code — XNNPACK kernels, zero-copy views, memmoves and one hand-written
 * SIMD kernel — nothing goes through the pure-JS cpu backend.
 */
import * as tf from "@tensorflow/tfjs";
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, batchNormTrainGradKernel, batchNormTrainKernel, registerBatchNormGradient } from "./batch-norm";
import { conv2dBackpropFilterKernel } from "./conv2d-backprop-filter";
import { makeConv2dBackpropInputKernel, type KernelFuncLike } from "./conv2d-backprop-input";
import { depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel } from "./depthwise-backprop";
import { makeMeanKernel, makeSumKernel } from "./fast-reduce";
import { makeTileKernel } from "./fast-tile";
import { makeMaxPoolGradKernel } from "./max-pool-grad";
import { makeCastKernel, makeIdentityKernel } from "./alias-kernels";
import { makeResizeBilinearGradKernel, makeResizeNearestNeighborGradKernel } from "./resize-grad";
import type { NativeConvAddon } from "./native/addon";
import { makeNativeConvKernel, NATIVE_CONV_KERNELS } from "./native/native-conv";
import { ADAMW_KERNEL, makeAdamWKernel, type NativeAdamWAddon } from "./native/native-adamw";
import { setNativeBatchNormPasses, type NativeBatchNormPasses } from "./batch-norm-simd";

/** Kernels wasm lacks that training needs (added). */
export const WASM_MISSING_TRAINING_KERNELS = [
  "Conv2DBackpropFilter",
  "DepthwiseConv2dNativeBackpropFilter",
  "DepthwiseConv2dNativeBackpropInput",
] as const;

/**
 * Kernels wasm has but gets wrong for training (always replaced):
 *  - ResizeNearestNeighborGrad, ResizeBilinearGrad: wrong values / swapped height and width;
 *  - MaxPoolGrad: routes the gradient of tied maxima to a different element than the cpu
 *    backend, TensorFlow and PyTorch (first maximum), and is slow.
 */
export const WASM_FIXED_TRAINING_KERNELS = ["ResizeNearestNeighborGrad", "ResizeBilinearGrad", "MaxPoolGrad"] as const;

/**
 * Kernels wasm has but too slowly for training (replaced for the shapes training produces;
 * every other call goes to the stock kernel). Skipped with {replaceSlowKernels: false}.
 */
export const WASM_FASTER_TRAINING_KERNELS = ["Conv2DBackpropInput", "Sum", "Mean", "Tile", "Identity", "Cast"] as const;

/**
 * Fused kernels of our own that replace a chain of stock kernels (training batch norm, see
 * batch-norm.ts). Skipped with {fuseBatchNorm: false}.
 */
export const WASM_FUSED_TRAINING_KERNELS = [BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD] as const;

/** Every kernel name `registerWasmTrainingKernels` may register. */
export const WASM_TRAINING_KERNELS: readonly string[] = [
  ...WASM_MISSING_TRAINING_KERNELS,
  ...WASM_FIXED_TRAINING_KERNELS,
  ...WASM_FASTER_TRAINING_KERNELS,
  ...WASM_FUSED_TRAINING_KERNELS,
];

const MARK = "__steelDefectLabEngine";
/** Marks a conv kernel that routes to the oneDNN addon (native/native-conv.ts). */
const NATIVE_MARK = "__steelDefectLabNative";

type MarkedConfig = tf.KernelConfig & { [MARK]?: true; [NATIVE_MARK]?: true };

function isOurs(name: string): boolean {
  const k = tf.getKernel(name, "wasm") as MarkedConfig | undefined;
  return k?.[MARK] === true;
}

export interface RegisterOptions {
  /** Also replace the slow stock kernels (WASM_FASTER_TRAINING_KERNELS; default true). */
  replaceSlowKernels?: boolean;
  /**
   * Keep the laid-out filters of the model's weights between calls (default true): saves
   * re-laying and re-packing every weight on each micro-batch of a step (~10 % of a ResNet-50
   * step) for one extra copy of the weights (+ XNNPACK's packed copy) on the heap.
   */
  cacheFilters?: boolean;
  /** Register the fused training batch norm (WASM_FUSED_TRAINING_KERNELS; default true). */
  fuseBatchNorm?: boolean;
  /**
   * Route the convolutions (NATIVE_CONV_KERNELS) to this oneDNN addon, each wrapping the wasm
   * kernel registered before it as its fallback (see native/native-conv.ts), and add the fused
   * AdamW update kernel (native/native-adamw.ts) when the addon has it.
   */
  native?: NativeConvAddon;
}

function stockKernel(name: string): KernelFuncLike | undefined {
  const stock = tf.getKernel(name, "wasm");
  return stock ? (stock.kernelFunc as unknown as KernelFuncLike) : undefined;
}

function kernelFuncFor(name: string, options: RegisterOptions): KernelFuncLike {
  switch (name) {
    case "Conv2DBackpropFilter":
      return conv2dBackpropFilterKernel;
    case "DepthwiseConv2dNativeBackpropFilter":
      return depthwiseBackpropFilterKernel;
    case "DepthwiseConv2dNativeBackpropInput":
      return depthwiseBackpropInputKernel;
    case "Conv2DBackpropInput":
      return makeConv2dBackpropInputKernel(stockKernel(name), options.cacheFilters ?? true);
    case "Sum":
      return makeSumKernel(stockKernel(name));
    case "Mean":
      return makeMeanKernel(stockKernel(name));
    case "Tile":
      return makeTileKernel(stockKernel(name));
    case "MaxPoolGrad":
      return makeMaxPoolGradKernel(stockKernel(name));
    case "ResizeNearestNeighborGrad":
      return makeResizeNearestNeighborGradKernel(stockKernel(name));
    case "Identity":
      return makeIdentityKernel(stockKernel(name), () => {
        const k = tf.getKernel("Conv2DBackpropInput", "wasm") as MarkedConfig | undefined;
        if (k?.[MARK]) (k.kernelFunc as unknown as { sweepCache?: () => void }).sweepCache?.();
      });
    case "Cast":
      return makeCastKernel(stockKernel(name));
    case "ResizeBilinearGrad":
      return makeResizeBilinearGradKernel(stockKernel(name));
    case BATCH_NORM_TRAIN:
      return batchNormTrainKernel;
    case BATCH_NORM_TRAIN_GRAD:
      return batchNormTrainGradKernel;
    default:
      throw new Error(`engine: no wasm training kernel named ${name}`);
  }
}

/**
 * Registers the wasm training kernels; returns the names registered by THIS call
 * (a second call returns []). Safe to call before or after the wasm backend initialises.
 */
export function registerWasmTrainingKernels(options: RegisterOptions = {}): string[] {
  // Load the wasm package first so its stock kernels are registered before we replace one
  // (a later import would silently re-register the slow stock Conv2DBackpropInput).
  require("@tensorflow/tfjs-backend-wasm");
  const replace = options.replaceSlowKernels ?? true;
  const names: string[] = [
    ...WASM_MISSING_TRAINING_KERNELS,
    ...WASM_FIXED_TRAINING_KERNELS,
    ...(replace ? WASM_FASTER_TRAINING_KERNELS : []),
    ...(options.fuseBatchNorm ?? true ? WASM_FUSED_TRAINING_KERNELS : []),
  ];
  registerBatchNormGradient();
  const added: string[] = [];
  for (const name of names) {
    if (isOurs(name)) continue;
    const kernelFunc = kernelFuncFor(name, options);
    const stock = tf.getKernel(name, "wasm");
    if (stock) tf.unregisterKernel(name, "wasm"); // replace without the "already registered" warning
    const config: MarkedConfig = { kernelName: name, backendName: "wasm", kernelFunc: kernelFunc as unknown as tf.KernelFunc };
    // The stock kernel stays our fallback: keep its setup (it binds the C++ function when the
    // backend initialises, which may happen after this call).
    if (stock?.setupFunc) config.setupFunc = stock.setupFunc;
    config[MARK] = true;
    tf.registerKernel(config);
    added.push(name);
  }
  if (options.native) added.push(...registerNativeKernels(options.native));
  return added;
}

function registerNativeKernels(addon: NativeConvAddon): string[] {
  const added: string[] = [];
  const passes = addon as Partial<NativeBatchNormPasses>;
  if (typeof passes.bnSums === "function" && typeof passes.bnApply === "function") setNativeBatchNormPasses(passes as NativeBatchNormPasses);
  const withAdam = addon as Partial<NativeAdamWAddon>;
  if (typeof withAdam.adamw === "function" && !tf.getKernel(ADAMW_KERNEL, "wasm")) {
    const config: MarkedConfig = { kernelName: ADAMW_KERNEL, backendName: "wasm", kernelFunc: makeAdamWKernel(withAdam as NativeAdamWAddon) };
    config[MARK] = true;
    config[NATIVE_MARK] = true;
    tf.registerKernel(config);
    added.push(ADAMW_KERNEL);
  }
  for (const name of NATIVE_CONV_KERNELS) {
    const current = tf.getKernel(name, "wasm") as MarkedConfig | undefined;
    if (!current || current[NATIVE_MARK]) continue;
    const kernelFunc = makeNativeConvKernel(name, addon, current.kernelFunc as unknown as KernelFuncLike);
    tf.unregisterKernel(name, "wasm");
    const config: MarkedConfig = { ...current, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
    config[MARK] = true;
    config[NATIVE_MARK] = true;
    tf.registerKernel(config);
    added.push(name);
  }
  return added;
}

/** Kernels currently served by the native addon on wasm (convs routed to oneDNN, fused AdamW). */
export function registeredNativeKernels(): string[] {
  return [...NATIVE_CONV_KERNELS, ADAMW_KERNEL].filter((n) => (tf.getKernel(n, "wasm") as MarkedConfig | undefined)?.[NATIVE_MARK] === true);
}

/** Names of our kernels currently registered on wasm. */
export function registeredWasmTrainingKernels(): string[] {
  return WASM_TRAINING_KERNELS.filter((n) => isOurs(n));
}

/**
 * Frees what our kernels keep between calls (the laid-out filters of the model's weights,
 * see PhaseFilterCache). Entries of replaced weights are freed automatically at the next
 * backward pass; call this after training to give the memory back to the heap allocator.
 */
export function releaseWasmKernelCaches(): void {
  for (const name of WASM_TRAINING_KERNELS) {
    const k = tf.getKernel(name, "wasm") as MarkedConfig | undefined;
    if (!k?.[MARK]) continue;
    const release = (k.kernelFunc as unknown as { releaseCache?: () => void }).releaseCache;
    if (release) release();
  }
}
