/**
 * The Keras baseline CNN as an encoder: three blocks of Conv2D 3x3 same (bias) + BatchNorm +
 * ReLU + MaxPool 2, widths 32 → 64 → 128. No stem; stage s (1..3) holds the `block{s}_*` layers.
 * Features are the pooled block outputs at H/2, H/4, H/8.
 */
import * as tf from "@tensorflow/tfjs";
import { ap, batchNorm, conv2d, spatialShape } from "../layers";
import type { EncoderFeatures } from "../types";

export const SIMPLECNN_WIDTHS = [32, 64, 128];

export function buildSimpleCnn(input: tf.SymbolicTensor, seed: number): EncoderFeatures {
  const [h, w] = spatialShape(input);
  if (h < 8 || w < 8) throw new Error(`simplecnn: input ${h}x${w} is too small; height and width must be at least 8`);
  const stageOf: Record<string, number> = {};
  const features: tf.SymbolicTensor[] = [];
  let x = input;
  SIMPLECNN_WIDTHS.forEach((filters, i) => {
    const b = `block${i + 1}`;
    const track = <T extends tf.layers.Layer>(layer: T): T => {
      stageOf[layer.name] = i + 1;
      return layer;
    };
    x = ap(track(conv2d(seed, { name: `${b}_conv`, filters, kernelSize: 3, padding: "same" })), x);
    // Keras BatchNormalization default epsilon (1e-3), as in the baseline notebook.
    x = ap(track(batchNorm(`${b}_bn`, 1e-3)), x);
    x = ap(track(tf.layers.activation({ name: `${b}_relu`, activation: "relu" })), x);
    x = ap(track(tf.layers.maxPooling2d({ name: `${b}_pool`, poolSize: 2, strides: 2 })), x);
    features.push(x);
  });
  return {
    name: "simplecnn",
    features,
    outChannels: [...SIMPLECNN_WIDTHS],
    featureLayers: features.map((f) => f.sourceLayer.name),
    reductions: [2, 4, 8],
    stageOf,
    stageLabels: ["(no stem)", "block1", "block2", "block3"],
    maxFreeze: 3,
  };
}
