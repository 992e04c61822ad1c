/**
 * Training kernels for the TensorFlow.js wasm backend (XNNPACK, SIMD). See docs/engine.md.
 *
 * tfjs-backend-wasm 4.22 runs inference fast but cannot train convnets: it registers no
 * Conv2DBackpropFilter (tfjs issue 8474) nor the depthwise backprops, three of its gradient
 * kernels are wrong, and several are far too slow (Conv2DBackpropInput is a scalar loop ~10x
 * slower than the forward conv). Call `registerWasmTrainingKernels()` once after
 * `tf.setBackend("wasm")` (before is fine too): it adds, fixes and speeds up those kernels,
 * all built from wasm code — XNNPACK kernels, zero-copy views, memmoves and hand-written
 * SIMD kernels — nothing goes through the pure-JS cpu backend. With `native`, the convolutions
 * and AdamW then go to the oneDNN addon, each wrapping the wasm kernel registered before it.
 */
import * as tf from "@tensorflow/tfjs";
import { registerBatchNormGradient } from "./batch-norm-training";
import { castConfig } from "./kernels/Cast";
import { conv2DBackpropFilterConfig } from "./kernels/Conv2DBackpropFilter";
import { conv2DBackpropInputConfig } from "./kernels/Conv2DBackpropInput";
import { depthwiseConv2dNativeBackpropFilterConfig } from "./kernels/DepthwiseConv2dNativeBackpropFilter";
import { depthwiseConv2dNativeBackpropInputConfig } from "./kernels/DepthwiseConv2dNativeBackpropInput";
import { identityConfig } from "./kernels/Identity";
import { maxPoolGradConfig } from "./kernels/MaxPoolGrad";
import { meanConfig } from "./kernels/Mean";
import { resizeBilinearGradConfig } from "./kernels/ResizeBilinearGrad";
import { resizeNearestNeighborGradConfig } from "./kernels/ResizeNearestNeighborGrad";
import { steelBatchNormTrainConfig } from "./kernels/SteelBatchNormTrain";
import { steelBatchNormTrainGradConfig } from "./kernels/SteelBatchNormTrainGrad";
import { sumConfig } from "./kernels/Sum";
import { tileConfig } from "./kernels/Tile";
import type { NativeConvAddon } from "./native/addon";
import { setNativeBatchNormPasses, type NativeBatchNormPasses } from "./native/batch-norm";
import { makeNativeConvKernel, NATIVE_CONV_KERNELS } from "./native/conv";
import { ADAMW_KERNEL, makeAdamWKernel, type NativeAdamWAddon } from "./native/SteelAdamW";
import type { KernelFunc, WasmKernelConfig } from "./types";
import { clearPhaseFilterCache, setPhaseFilterCaching } from "./util/phase-filter-cache";
import { setWrappedKernel } from "./util/wrapped-kernels";

/**
 * Every wasm kernel of this workspace, in registration order. `group` says why:
 *  - missing: wasm has none and training needs it (added);
 *  - fixed:   wasm's is wrong for training (always replaced): the resize gradients give wrong
 *             values / swapped height and width, MaxPoolGrad routes tied maxima elsewhere than
 *             cpu / TensorFlow / PyTorch (first maximum) and is slow;
 *  - faster:  wasm's is too slow for the shapes training produces (replaced; every other call
 *             goes to the stock kernel it wraps). Skipped with {replaceSlowKernels: false};
 *  - fused:   our own kernels replacing a chain of stock kernels (training batch norm).
 *             Skipped with {fuseBatchNorm: false}.
 */
const WASM_KERNEL_CONFIGS: readonly WasmKernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  resizeNearestNeighborGradConfig,
  resizeBilinearGradConfig,
  maxPoolGradConfig,
  conv2DBackpropInputConfig,
  sumConfig,
  meanConfig,
  tileConfig,
  identityConfig,
  castConfig,
  steelBatchNormTrainConfig,
  steelBatchNormTrainGradConfig,
];

function namesOf(group: WasmKernelConfig["group"]): readonly string[] {
  return WASM_KERNEL_CONFIGS.filter((k) => k.group === group).map((k) => k.kernelName);
}

/** Kernels wasm lacks that training needs (added). */
export const WASM_MISSING_TRAINING_KERNELS = namesOf("missing");
/** Kernels wasm has but gets wrong for training (always replaced). */
export const WASM_FIXED_TRAINING_KERNELS = namesOf("fixed");
/** Kernels wasm has but too slowly for training (replaced, wrapping the stock kernel). */
export const WASM_FASTER_TRAINING_KERNELS = namesOf("faster");
/** Fused kernels of our own (training batch norm). */
export const WASM_FUSED_TRAINING_KERNELS = namesOf("fused");
/** Every kernel name `registerWasmTrainingKernels` may register. */
export const WASM_TRAINING_KERNELS: readonly string[] = WASM_KERNEL_CONFIGS.map((k) => k.kernelName);

const MARK = "__steelDefectLabEngine";
/** Marks a kernel that routes to the oneDNN addon (native/). */
const NATIVE_MARK = "__steelDefectLabNative";

type MarkedConfig = tf.KernelConfig & { [MARK]?: true; [NATIVE_MARK]?: true };

function registered(name: string): MarkedConfig | undefined {
  return tf.getKernel(name, "wasm") as MarkedConfig | undefined;
}

function isOurs(name: string): boolean {
  return registered(name)?.[MARK] === true;
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
   * kernel registered before it as its fallback (see native/conv.ts), and add the fused
   * AdamW update kernel (native/SteelAdamW.ts) when the addon has it.
   */
  native?: NativeConvAddon;
}

function wanted(config: WasmKernelConfig, options: RegisterOptions): boolean {
  if (config.group === "faster") return options.replaceSlowKernels ?? true;
  if (config.group === "fused") return options.fuseBatchNorm ?? true;
  return true;
}

/**
 * Registers `kernelFunc` under `name` on wasm in place of what is there. A wrapped kernel stays
 * the fallback, so its setup is kept (it binds the C++ function when the backend initialises,
 * which may happen after this call); a native wrapper keeps the whole config it wraps.
 */
function replaceKernel(name: string, kernelFunc: KernelFunc, native: boolean): void {
  const current = registered(name);
  if (current) tf.unregisterKernel(name, "wasm"); // replace without the "already registered" warning
  const config: MarkedConfig =
    native && current ? { ...current, kernelFunc: kernelFunc as unknown as tf.KernelFunc } : { kernelName: name, backendName: "wasm", kernelFunc: kernelFunc as unknown as tf.KernelFunc };
  if (!native && current?.setupFunc) config.setupFunc = current.setupFunc;
  config[MARK] = true;
  if (native) config[NATIVE_MARK] = true;
  tf.registerKernel(config);
}

/**
 * Registers the wasm training kernels; returns the names registered by THIS call
 * (a second call returns []). Safe to call before or after the wasm backend initialises.
 */
export function registerWasmTrainingKernels(options: RegisterOptions = {}): string[] {
  // Load the wasm package first so its stock kernels are registered before we replace one
  // (a later import would silently re-register the slow stock Conv2DBackpropInput).
  require("@tensorflow/tfjs-backend-wasm");
  registerBatchNormGradient();
  const added: string[] = [];
  for (const config of WASM_KERNEL_CONFIGS) {
    const name = config.kernelName;
    if (!wanted(config, options) || isOurs(name)) continue;
    if (config.wraps) setWrappedKernel(name, tf.getKernel(config.wraps, "wasm")?.kernelFunc as unknown as KernelFunc | undefined);
    if (config === conv2DBackpropInputConfig) setPhaseFilterCaching(options.cacheFilters ?? true);
    replaceKernel(name, config.kernelFunc, false);
    added.push(name);
  }
  if (options.native) added.push(...registerNativeKernels(options.native));
  return added;
}

let nativeAddon: NativeConvAddon | undefined;

function registerNativeKernels(addon: NativeConvAddon): string[] {
  const added: string[] = [];
  const passes = addon as Partial<NativeBatchNormPasses>;
  if (typeof passes.bnSums === "function" && typeof passes.bnApply === "function") setNativeBatchNormPasses(passes as NativeBatchNormPasses);
  const withAdam = addon as Partial<NativeAdamWAddon>;
  if (typeof withAdam.adamw === "function" && !tf.getKernel(ADAMW_KERNEL, "wasm")) {
    replaceKernel(ADAMW_KERNEL, makeAdamWKernel(withAdam as NativeAdamWAddon) as unknown as KernelFunc, true);
    added.push(ADAMW_KERNEL);
  }
  for (const name of NATIVE_CONV_KERNELS) {
    const current = registered(name);
    if (!current || current[NATIVE_MARK]) continue;
    replaceKernel(name, makeNativeConvKernel(name, addon, current.kernelFunc as unknown as KernelFunc), true);
    added.push(name);
  }
  nativeAddon = addon;
  return added;
}

/** Kernels currently served by the native addon on wasm (convs routed to oneDNN, fused AdamW). */
export function registeredNativeKernels(): string[] {
  return [...NATIVE_CONV_KERNELS, ADAMW_KERNEL].filter((n) => registered(n)?.[NATIVE_MARK] === true);
}

/** Names of our kernels currently registered on wasm. */
export function registeredWasmTrainingKernels(): string[] {
  return WASM_TRAINING_KERNELS.filter((n) => isOurs(n));
}

/**
 * Frees what our kernels keep between calls (the laid-out filters of the model's weights, see
 * util/phase-filter-cache.ts, and the addon's plans and laid-out filters). Entries of replaced
 * weights are freed automatically at the next backward pass; call this after training to give
 * the memory back to the heap allocator.
 */
export function releaseWasmKernelCaches(): void {
  clearPhaseFilterCache();
  if (nativeAddon && registeredNativeKernels().some((n) => n !== ADAMW_KERNEL)) nativeAddon.release();
}
