/**
 * Conv2D / FusedConv2D / Conv2DBackpropInput / Conv2DBackpropFilter for the wasm backend, run
 * by oneDNN (the native addon) directly on the wasm heap: the output is allocated by tfjs as
 * usual and oneDNN reads and writes the NHWC buffers in place, so nothing is copied in or out.
 *
 * Each kernel wraps the one registered before it (XNNPACK or our wasm SIMD kernel) and hands
 * over every call it does not cover — NCHW, non-float32, activations other than ReLU, PReLU
 * weights, empty tensors — so the result never depends on whether a shape is "supported".
 */
import * as os from "os";
import * as tf from "@tensorflow/tfjs";
import { threadCountFromEnv } from "../../util/env";
import type { KernelArgs, KernelFunc } from "../types";
import { convGeometry, type ConvAttrs, type ConvGeometry } from "../util/conv-geometry";
import { checkWasmInternals, heapU8, memoryOffsetOf, type WasmBackendLike } from "../wasm/scope";
import { nativeEnabled, NativeMode, PARAM, PARAM_COUNT, type NativeConvAddon } from "./addon";

export const NATIVE_CONV_KERNELS = ["Conv2D", "FusedConv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"] as const;
export type NativeConvKernelName = (typeof NATIVE_CONV_KERNELS)[number];

interface NativeConvAttrs extends ConvAttrs {
  activation?: string;
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
}

/** Calls served by oneDNN vs handed to the wasm kernels (tests, bench, logs). */
export const nativeConvStats = { native: 0, fallback: 0 };

/** OpenMP threads for oneDNN: STEEL_NATIVE_THREADS, else one per core. */
export function nativeThreadCount(env: NodeJS.ProcessEnv = process.env): number {
  return threadCountFromEnv(env, "STEEL_NATIVE_THREADS", 64, Math.max(1, os.cpus().length));
}

function isNHWC(dataFormat: string | undefined): boolean {
  return dataFormat == null || dataFormat === "NHWC" || dataFormat === "channelsLast";
}

function allFloat32(...ts: (tf.TensorInfo | undefined)[]): boolean {
  return ts.every((t) => t == null || t.dtype === "float32");
}

function nonEmpty(g: ConvGeometry): boolean {
  return g.N > 0 && g.H > 0 && g.W > 0 && g.C > 0 && g.CO > 0 && g.OH > 0 && g.OW > 0;
}

/**
 * The addon's parameter block. Bottom/right padding is what makes the output size come out
 * exactly (tfjs may pad more than it reads, e.g. 'valid' leaving rows unused; oneDNN wants
 * the padding that matches OH/OW).
 */
export function nativeParams(g: ConvGeometry, a: number, b: number, bias: number, out: number, relu: boolean, filterId = 0): Float64Array {
  const p = new Float64Array(PARAM_COUNT);
  p[PARAM.N] = g.N;
  p[PARAM.H] = g.H;
  p[PARAM.W] = g.W;
  p[PARAM.C] = g.C;
  p[PARAM.OH] = g.OH;
  p[PARAM.OW] = g.OW;
  p[PARAM.CO] = g.CO;
  p[PARAM.KH] = g.KH;
  p[PARAM.KW] = g.KW;
  p[PARAM.SH] = g.sh;
  p[PARAM.SW] = g.sw;
  p[PARAM.DH] = g.dh;
  p[PARAM.DW] = g.dw;
  p[PARAM.PAD_TOP] = g.padTop;
  p[PARAM.PAD_LEFT] = g.padLeft;
  p[PARAM.PAD_BOTTOM] = Math.max(0, (g.OH - 1) * g.sh + (g.KH - 1) * g.dh + 1 - g.H - g.padTop);
  p[PARAM.PAD_RIGHT] = Math.max(0, (g.OW - 1) * g.sw + (g.KW - 1) * g.dw + 1 - g.W - g.padLeft);
  p[PARAM.A] = a;
  p[PARAM.B] = b;
  p[PARAM.BIAS] = bias;
  p[PARAM.OUT] = out;
  p[PARAM.RELU] = relu ? 1 : 0;
  p[PARAM.FILTER_ID] = filterId;
  return p;
}

interface NativeCall {
  mode: NativeMode;
  g: ConvGeometry;
  a: tf.TensorInfo;
  b: tf.TensorInfo;
  bias?: tf.TensorInfo;
  outShape: number[];
  relu: boolean;
}

/** Plans one call, or returns undefined to hand it to the wasm kernel. */
function plan(name: NativeConvKernelName, args: KernelArgs): NativeCall | undefined {
  const attrs = (args.attrs ?? {}) as unknown as NativeConvAttrs;
  if (!isNHWC(attrs.dataFormat)) return undefined;
  const inputs = args.inputs as Record<string, tf.TensorInfo | undefined>;
  if (name === "Conv2D" || name === "FusedConv2D") {
    const { x, filter, bias, preluActivationWeights } = inputs;
    const activation = attrs.activation ?? "linear";
    if (!x || !filter || preluActivationWeights || (activation !== "linear" && activation !== "relu")) return undefined;
    if (!allFloat32(x, filter, bias) || x.shape.length !== 4 || filter.shape.length !== 4 || x.shape[3] !== filter.shape[2]) return undefined;
    const g = convGeometry(x.shape, filter.shape, attrs.strides, attrs.pad, attrs.dilations, attrs.dimRoundingMode);
    if (bias && bias.shape.reduce((n, d) => n * d, 1) !== g.CO) return undefined; // broadcast biases: wasm
    if (!nonEmpty(g)) return undefined;
    return { mode: NativeMode.Forward, g, a: x, b: filter, bias, outShape: [g.N, g.OH, g.OW, g.CO], relu: activation === "relu" };
  }
  if (name === "Conv2DBackpropInput") {
    const { dy, filter } = inputs;
    if (!dy || !filter || !attrs.inputShape || !allFloat32(dy, filter)) return undefined;
    const g = convGeometry(attrs.inputShape, filter.shape, attrs.strides, attrs.pad, 1, attrs.dimRoundingMode);
    if (!nonEmpty(g) || !sameShape(dy.shape, [g.N, g.OH, g.OW, g.CO])) return undefined;
    return { mode: NativeMode.InputGrad, g, a: dy, b: filter, outShape: [g.N, g.H, g.W, g.C], relu: false };
  }
  const { x, dy } = inputs;
  if (!x || !dy || !attrs.filterShape || !allFloat32(x, dy)) return undefined;
  const fs = attrs.filterShape;
  const g = convGeometry(x.shape, [fs[0], fs[1], x.shape[3], fs[3]], attrs.strides, attrs.pad, attrs.dilations, attrs.dimRoundingMode);
  if (!nonEmpty(g) || !sameShape(dy.shape, [g.N, g.OH, g.OW, g.CO])) return undefined;
  return { mode: NativeMode.FilterGrad, g, a: x, b: dy, outShape: [g.KH, g.KW, g.C, g.CO], relu: false };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * One id per filter buffer (tfjs dataId): the addon keeps filters laid out for oneDNN per id,
 * so the micro-batches and the input gradient of a step re-use one layout. tfjs never writes a
 * tensor in place (an optimizer update makes a new tensor), so an id always means one content.
 */
const filterIds = new WeakMap<object, number>();
let nextFilterId = 1;

function filterId(t: tf.TensorInfo): number {
  const key = t.dataId as object;
  let id = filterIds.get(key);
  if (id === undefined) {
    id = nextFilterId++;
    filterIds.set(key, id);
  }
  return id;
}

function runNative(addon: NativeConvAddon, backend: WasmBackendLike, c: NativeCall): tf.TensorInfo {
  const out = backend.makeOutput(c.outShape, "float32");
  try {
    const bias = c.bias ? memoryOffsetOf(backend, c.bias) : -1;
    const id = c.mode === NativeMode.FilterGrad ? 0 : filterId(c.b);
    const params = nativeParams(c.g, memoryOffsetOf(backend, c.a), memoryOffsetOf(backend, c.b), bias, memoryOffsetOf(backend, out), c.relu, id);
    // The heap view is taken after makeOutput: an allocation may have grown (replaced) the buffer.
    addon.conv(c.mode, heapU8(backend), params);
    return out;
  } catch (err) {
    backend.disposeData(out.dataId as object);
    throw err;
  }
}

const warned = new Set<string>();

/**
 * The kernelFunc registered under `name`: oneDNN when it covers the call, else `fallback` (the
 * wasm kernel registered under `name` before it: XNNPACK's or ours).
 */
export function makeNativeConvKernel(name: NativeConvKernelName, addon: NativeConvAddon, fallback: KernelFunc): KernelFunc {
  return (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const call = nativeEnabled() ? plan(name, args) : undefined;
    if (call) {
      const backend = checkWasmInternals(args.backend);
      try {
        const out = runNative(addon, backend, call);
        nativeConvStats.native++;
        return out;
      } catch (err) {
        // oneDNN refused this shape: say so once, and let the wasm kernel compute it.
        const msg = `${name}: ${(err as Error).message}`;
        if (!warned.has(msg)) {
          warned.add(msg);
          console.warn(`engine/native: ${msg} — using the wasm kernel for this conv`);
        }
      }
    }
    nativeConvStats.fallback++;
    return fallback(args);
  };
}
