/**
 * Shared pieces of the faithfulness metrics: pixel orders from a CAM (most relevant first, or a
 * seeded random order), and scoring a stack of perturbed images with the model.
 */
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../util/rng";
import { CamTarget } from "../targets";

/** An image as the model sees it: float [H·W·C] channel-last, with its size. */
export interface ModelImage {
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

/** images [N, H, W, C] → the target's score [N] (inside tf.tidy; batches of `batchSize`). */
export type ScoreFn = (images: tf.Tensor4D) => Promise<number[]>;

/** Scores with the model's own output (probabilities); `target` is this image's (one class: every row is the same image). */
export function modelScore(model: tf.LayersModel, target: CamTarget, batchSize = 32): ScoreFn {
  return async (images) => {
    const out: number[] = [];
    for (let i = 0; i < images.shape[0]; i += batchSize) {
      const n = Math.min(batchSize, images.shape[0] - i);
      const s = tf.tidy(() => {
        const x = tf.slice(images, [i, 0, 0, 0], [n, -1, -1, -1]);
        const y = model.apply(x, { training: false }) as tf.Tensor;
        return target.at(0).score(y, y);
      });
      out.push(...(await s.data()));
      s.dispose();
    }
    return out;
  };
}

/** Pixel indices (0..H·W−1) by decreasing CAM value; ties keep index order (deterministic). */
export function relevanceOrder(cam: ArrayLike<number>): number[] {
  const idx = Array.from({ length: cam.length }, (_, i) => i);
  return idx.sort((a, b) => cam[b] - cam[a] || a - b);
}

/** A random pixel order from a named seeded stream. */
export function randomOrder(n: number, seed: number, stream: string): number[] {
  return createRng(seed, stream).shuffle(Array.from({ length: n }, (_, i) => i));
}

/** Stacks images (each [H·W·C]) into a [N, H, W, C] tensor; the caller disposes it. */
export function stackImages(images: Float32Array[], like: ModelImage): tf.Tensor4D {
  const n = like.height * like.width * like.channels;
  const buf = new Float32Array(images.length * n);
  images.forEach((im, i) => buf.set(im, i * n));
  return tf.tensor4d(buf, [images.length, like.height, like.width, like.channels]);
}

/** Copies `src` pixels (all channels) at `pixels` into `dst`. */
export function copyPixels(dst: Float32Array, src: Float32Array, pixels: readonly number[], channels: number): void {
  for (const p of pixels) for (let c = 0; c < channels; c++) dst[p * channels + c] = src[p * channels + c];
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}
