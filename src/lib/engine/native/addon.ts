/**
 * Loads the optional oneDNN convolution addon (src/native/*.cc, built by
 * `make native` / environment/build-native.sh into build/native/steel_dnnl.node).
 * Never throws: a missing or broken addon is a reason string, and training stays on wasm.
 */
import * as fs from "fs";
import * as path from "path";
import { projectPaths } from "../../config/paths";

/** Order of the Float64Array `params` of `conv` (must match enum Param in src/native/conv.cc). */
export const PARAM = {
  N: 0, H: 1, W: 2, C: 3, OH: 4, OW: 5, CO: 6, KH: 7, KW: 8, SH: 9, SW: 10, DH: 11, DW: 12,
  PAD_TOP: 13, PAD_LEFT: 14, PAD_BOTTOM: 15, PAD_RIGHT: 16,
  A: 17, B: 18, BIAS: 19, OUT: 20, RELU: 21, FILTER_ID: 22,
} as const;
export const PARAM_COUNT = 23;

export const enum NativeMode {
  Forward = 0,
  InputGrad = 1,
  FilterGrad = 2,
}

export interface NativeConvAddon {
  conv(mode: NativeMode, heap: Uint8Array, params: Float64Array): void;
  setThreads(n: number): void;
  /** Frees every cached primitive and laid-out filter. */
  release(): void;
  info(): { onednn: string; threads: number; plans: number };
}

/** The addon, or why not (a plain record: tslab compiles without strict narrowing of unions). */
export interface AddonLoad {
  addon?: NativeConvAddon;
  file: string;
  reason: string;
}

/** Where the build script puts the addon (STEEL_NATIVE_ADDON overrides). */
export function defaultAddonPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.STEEL_NATIVE_ADDON?.trim() || path.join(projectPaths().root, "build", "native", "steel_dnnl.node");
}

let enabled = true;

/**
 * While false every registered native kernel hands its calls to the wasm path (the conv
 * kernels to the kernel they wrap, AdamW to the tfjs composite): side-by-side comparisons
 * in one process, in tests and benchmarks.
 */
export function setNativeEnabled(on: boolean): void {
  enabled = on;
}

export function nativeEnabled(): boolean {
  return enabled;
}

let cached: AddonLoad | undefined;

export function loadNativeConvAddon(file = defaultAddonPath()): AddonLoad {
  if (cached && cached.file === file) return cached;
  if (!fs.existsSync(file)) {
    cached = { file, reason: `${path.relative(process.cwd(), file) || file} not built (run 'make native'; needs apt libdnnl-dev and g++)` };
    return cached;
  }
  try {
    const addon = require(file) as NativeConvAddon;
    if (typeof addon.conv !== "function" || typeof addon.info !== "function") {
      cached = { file, reason: `${file} is not the workspace's oneDNN addon (no conv/info)` };
    } else {
      cached = { addon, file, reason: `loaded ${file}` };
    }
  } catch (err) {
    const msg = (err as Error).message.split("\n")[0];
    const hint = /libdnnl/.test(msg) ? " (oneDNN runtime missing: apt-get install libdnnl2)" : "";
    cached = { file, reason: `${file} failed to load${hint}: ${msg}` };
  }
  return cached;
}
