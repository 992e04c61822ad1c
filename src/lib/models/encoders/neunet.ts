/**
 * The NEU from-scratch encoder: five double-conv blocks (Conv 3x3 same, no bias → BN → ReLU, twice),
 * widths 16 → 32 → 64 → 128 → 256, MaxPool 2 after the first four. At 112² the last block runs at
 * 7×7. WHY this shape: NEU's six texture classes need more depth than the three-block SimpleCNN
 * (98 % ceiling here) but a ResNet is too slow to train from scratch in the 10-minute CPU budget;
 * doubling the convs per block buys receptive field at little cost at the small resolutions.
 */
import * as tf from "@tensorflow/tfjs";
import { ap, batchNorm, conv2d, spatialShape } from "../layers";
import type { EncoderFeatures } from "../types";

export const NEUNET_WIDTHS = [16, 32, 64, 128, 256];

export function buildNeuNet(input: tf.SymbolicTensor, seed: number): EncoderFeatures {
  const [h, w] = spatialShape(input);
  if (h < 16 || w < 16) throw new Error(`neu-net: input ${h}x${w} is too small; height and width must be at least 16 (four 2x poolings)`);
  const stageOf: Record<string, number> = {};
  const features: tf.SymbolicTensor[] = [];
  const reductions: number[] = [];
  let x = input;
  NEUNET_WIDTHS.forEach((filters, i) => {
    const b = `block${i + 1}`;
    const track = <T extends tf.layers.Layer>(layer: T): T => {
      stageOf[layer.name] = i + 1;
      return layer;
    };
    for (const k of [1, 2]) {
      x = ap(track(conv2d(seed, { name: `${b}_conv${k}`, filters, kernelSize: 3, padding: "same", useBias: false })), x);
      x = ap(track(batchNorm(`${b}_bn${k}`, 1e-5)), x);
      x = ap(track(tf.layers.activation({ name: `${b}_relu${k}`, activation: "relu" })), x);
    }
    if (i < NEUNET_WIDTHS.length - 1) x = ap(track(tf.layers.maxPooling2d({ name: `${b}_pool`, poolSize: 2, strides: 2 })), x);
    features.push(x);
    reductions.push(2 ** Math.min(i + 1, NEUNET_WIDTHS.length - 1));
  });
  return {
    name: "neu-net",
    features,
    outChannels: [...NEUNET_WIDTHS],
    featureLayers: features.map((f) => f.sourceLayer.name),
    reductions,
    stageOf,
    stageLabels: ["(no stem)", "block1", "block2", "block3", "block4", "block5"],
    maxFreeze: 5,
  };
}
