/**
 * Small layer builders shared by encoders, heads and decoders. Every random initializer gets a
 * seed derived from (run seed, layer name), so the same seed gives identical weights however
 * many models were built before, and renaming or adding one layer does not shift the others.
 */
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../util/rng";
import { fusedBatchNormCall } from "./fused-batch-norm";

type Layer = tf.layers.Layer;
type CallFn = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** Keras ResNet BatchNormalization epsilon (keras.applications.resnet). */
export const KERAS_BN_EPSILON = 1.001e-5;

/** 32-bit seed of one layer's initializer: a named stream of the run seed. */
export function layerSeed(seed: number, layerName: string): number {
  return createRng(seed, `init/${layerName}`).seed32();
}

/** Glorot-uniform (the Keras default kernel initializer), seeded per layer. */
export function seededKernelInit(seed: number, layerName: string): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed: layerSeed(seed, layerName) });
}

export interface ConvArgs {
  name: string;
  filters: number;
  kernelSize: number;
  strides?: number;
  padding?: "same" | "valid";
  useBias?: boolean;
  activation?: "sigmoid" | "linear" | "relu";
}

export function conv2d(seed: number, a: ConvArgs): Layer {
  return tf.layers.conv2d({
    name: a.name,
    filters: a.filters,
    kernelSize: a.kernelSize,
    strides: a.strides ?? 1,
    padding: a.padding ?? "valid",
    useBias: a.useBias ?? true,
    activation: a.activation ?? "linear",
    kernelInitializer: seededKernelInit(seed, a.name),
    biasInitializer: "zeros",
  });
}

export function dense(seed: number, name: string, units: number, activation: "relu" | "softmax" | "sigmoid" | "linear" = "linear"): Layer {
  return tf.layers.dense({
    name,
    units,
    activation,
    kernelInitializer: seededKernelInit(seed, name),
    biasInitializer: "zeros",
  });
}

/**
 * BatchNormalization over the channel axis that honours `trainable = false` like Keras 2 (TF2):
 * a frozen BN runs in inference mode (moving statistics, no updates) even inside `fit`.
 * WHY: tfjs-layers' BatchNormalization ignores `trainable` in `call` — with `training: true`
 * it still normalises with batch statistics and overwrites movingMean/movingVariance, which
 * silently destroys pretrained statistics of a "frozen" encoder.
 */
/**
 * Moving-statistics momentum: PyTorch's default (0.1 there = 0.9 here), the write-up's framework.
 * Keras' 0.99 needs ~500 steps before the moving statistics forget their init (mean 0, var 1):
 * a CPU run of a few hundred steps would then evaluate with statistics that were never seen.
 */
export const BN_MOMENTUM = 0.9;

export function batchNorm(name: string, epsilon = KERAS_BN_EPSILON, gammaInitializer: "ones" | "zeros" = "ones"): Layer {
  const layer = tf.layers.batchNormalization({ name, axis: -1, epsilon, momentum: BN_MOMENTUM, gammaInitializer });
  guardBatchNorm(layer);
  return layer;
}

/**
 * Installs the frozen-BN behaviour on an existing BatchNormalization layer (idempotent); a
 * trainable one in training mode runs the engine's fused op where available (fused-batch-norm.ts).
 */
export function guardBatchNorm(layer: Layer): void {
  const tagged = layer as Layer & { __steelBnGuard?: boolean };
  if (tagged.__steelBnGuard) return;
  const original = (layer.call as unknown as CallFn).bind(layer);
  const guarded: CallFn = (inputs, kwargs) => {
    if (!layer.trainable) return original(inputs, { ...(kwargs ?? {}), training: false });
    if (kwargs?.training === true) {
      const fused = fusedBatchNormCall(layer, inputs);
      if (fused) return fused;
    }
    return original(inputs, kwargs);
  };
  (layer as unknown as { call: CallFn }).call = guarded;
  tagged.__steelBnGuard = true;
}

export function isBatchNorm(layer: Layer): boolean {
  return layer.getClassName() === "BatchNormalization";
}

/** A seeded dropout's position in its stream (training calls so far), saved in checkpoints. */
export interface DropoutStream {
  readonly calls: number;
  /** Moves the stream to where it is after `calls` training calls (replayed from the seed). */
  seek(calls: number): void;
}

const STREAM_KEY = "__steelDropoutStream";

/**
 * Dropout whose mask comes from a seeded stream that advances at every training call.
 * WHY: a tfjs Dropout with a fixed `seed` re-seeds its generator on every call and so drops the
 * same units at every step; without a seed it uses Math.random and runs are not reproducible.
 * The stream position is the one piece of RNG state training carries across epochs: the trainer
 * saves it (dropoutStreams) so a resumed run draws the masks an uninterrupted run would.
 */
export function seededDropout(seed: number, name: string, rate: number): Layer {
  const fresh = () => createRng(seed, `dropout/${name}`);
  let rng = fresh();
  let calls = 0;
  const layer = tf.layers.dropout({ name, rate, seed: rng.seed32() });
  const original = (layer.call as unknown as CallFn).bind(layer);
  const streamed: CallFn = (inputs, kwargs) => {
    if (kwargs && kwargs.training === true) {
      (layer as unknown as { seed: number }).seed = rng.seed32();
      calls++;
    }
    return original(inputs, kwargs);
  };
  (layer as unknown as { call: CallFn }).call = streamed;
  const stream: DropoutStream = {
    get calls() {
      return calls;
    },
    seek(n: number) {
      rng = fresh();
      rng.seed32(); // the construction-time seed
      for (let i = 0; i < n; i++) rng.seed32();
      calls = n;
    },
  };
  (layer as unknown as Record<string, DropoutStream>)[STREAM_KEY] = stream;
  return layer;
}

/** Every seeded dropout of `model` (nested models included), by layer name. */
export function dropoutStreams(model: tf.LayersModel): Map<string, DropoutStream> {
  const out = new Map<string, DropoutStream>();
  const walk = (layers: Layer[]) => {
    for (const l of layers) {
      const s = (l as unknown as Record<string, DropoutStream | undefined>)[STREAM_KEY];
      if (s) out.set(l.name, s);
      const inner = (l as unknown as { layers?: Layer[] }).layers;
      if (Array.isArray(inner)) walk(inner);
    }
  };
  walk(model.layers);
  return out;
}

/** Applies a layer to one symbolic tensor (tfjs types `apply` loosely). */
export function ap(layer: Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor {
  return layer.apply(x) as tf.SymbolicTensor;
}

/** Static [H, W, C] of a symbolic feature map (batch dimension dropped). */
export function spatialShape(x: tf.SymbolicTensor): [number, number, number] {
  const s = x.shape;
  return [s[1] as number, s[2] as number, s[3] as number];
}
