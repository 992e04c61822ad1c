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

/**
 * Perturbed copies of one image and what their scores mean: metrics build their frames first, so
 * a caller can score the frames of many metrics (and CAM methods) of an image in full batches.
 */
export interface ScoredFrames<T> {
  frames: Float32Array[];
  /** `scores[i]` is the score of `frames[i]`. */
  result(scores: number[]): T;
}

/** Scores one metric's frames with `score` and reads its result. */
export async function scoreFrames<T>(set: ScoredFrames<T>, like: ModelImage, score: ScoreFn): Promise<T> {
  const x = stackImages(set.frames, like);
  try {
    return set.result(await score(x));
  } finally {
    x.dispose();
  }
}

/**
 * Scores several metrics' frames of one image together, `chunk` frames per stacked tensor (full
 * batches, bounded memory); results in order.
 */
export async function scoreFrameSets(sets: readonly ScoredFrames<unknown>[], like: ModelImage, score: ScoreFn, chunk = 64): Promise<unknown[]> {
  const all = sets.flatMap((s) => s.frames);
  const scores: number[] = [];
  for (let i = 0; i < all.length; i += chunk) scores.push(...(await scoreFrames({ frames: all.slice(i, i + chunk), result: (s) => s }, like, score)));
  let at = 0;
  return sets.map((s) => {
    const part = scores.slice(at, at + s.frames.length);
    at += s.frames.length;
    return s.result(part);
  });
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
