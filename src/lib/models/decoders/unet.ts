/**
 * U-Net decoder (segmentation_models.pytorch layout) sized from the encoder's outChannels.
 * Features f0..f4 at H/2..H/32. Decoder block i (1..5), starting from f4:
 *   decoder_block{i}_up (nearest x2) → decoder_block{i}_concat with skip f{4-i} (blocks 1–4;
 *   block 5 reaches full resolution and has no skip) → 2 x (Conv 3x3 same, no bias → BN → ReLU)
 *   named decoder_block{i}_conv{1,2} / _bn{1,2} / _relu{1,2}.
 * Then seg_head_conv: Conv 1x1 (bias) → `classes` maps at H x W, sigmoid or linear (logits).
 */
import * as tf from "@tensorflow/tfjs";
import { ap, batchNorm, conv2d, spatialShape } from "../layers";

export const DEFAULT_DECODER_CHANNELS = [256, 128, 64, 32, 16];

export interface UnetDecoderArgs {
  /** Encoder's declared channels of f0..f4. */
  encoderChannels: number[];
  decoderChannels: number[];
  classes: number;
  activation: "sigmoid" | "linear";
  seed: number;
}

/** Input channels of each decoder block's first conv: previous block output + skip channels. */
export function unetBlockInChannels(encoderChannels: number[], decoderChannels: number[]): number[] {
  const skips = [...encoderChannels.slice(0, -1)].reverse(); // f3, f2, f1, f0
  const head = encoderChannels[encoderChannels.length - 1];
  return decoderChannels.map((_, i) => (i === 0 ? head : decoderChannels[i - 1]) + (skips[i] ?? 0));
}

export function unetDecoder(features: tf.SymbolicTensor[], a: UnetDecoderArgs): tf.SymbolicTensor {
  if (features.length !== 5 || a.encoderChannels.length !== 5) {
    throw new Error(`unet decoder needs 5 encoder stages (H/2..H/32), got ${features.length}`);
  }
  if (a.decoderChannels.length !== 5 || a.decoderChannels.some((c) => !Number.isInteger(c) || c <= 0)) {
    throw new Error(`decoderChannels must be 5 positive integers, got [${a.decoderChannels.join(", ")}]`);
  }
  features.forEach((f, i) => {
    const c = spatialShape(f)[2];
    if (c !== a.encoderChannels[i]) throw new Error(`unet decoder: stage ${i} has ${c} channels, encoder declared ${a.encoderChannels[i]}`);
  });
  const skips = features.slice(0, -1).reverse();
  let x = features[features.length - 1];
  a.decoderChannels.forEach((filters, i) => {
    const b = `decoder_block${i + 1}`;
    x = ap(tf.layers.upSampling2d({ name: `${b}_up`, size: [2, 2], interpolation: "nearest" }), x);
    if (i < skips.length) x = ap(tf.layers.concatenate({ name: `${b}_concat`, axis: -1 }), [x, skips[i]]);
    for (const k of [1, 2]) {
      x = ap(conv2d(a.seed, { name: `${b}_conv${k}`, filters, kernelSize: 3, padding: "same", useBias: false }), x);
      x = ap(batchNorm(`${b}_bn${k}`, 1e-5), x);
      x = ap(tf.layers.activation({ name: `${b}_relu${k}`, activation: "relu" }), x);
    }
  });
  return ap(conv2d(a.seed, { name: "seg_head_conv", filters: a.classes, kernelSize: 1, activation: a.activation }), x);
}
