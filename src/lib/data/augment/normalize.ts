/**
 * Normalisation, the last step before the model. Deterministic and marked `always`, so `compose`
 * runs it whatever the pipeline probability. After "imagenet" / "standardize" values leave [0, 1].
 */
import type { ImageData32 } from "../types";
import { photometric, type Transform } from "./types";

export const IMAGENET_MEAN: readonly number[] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly number[] = [0.229, 0.224, 0.225];

export type NormalizeMode =
  /** (x - mean_c) / std_c with ImageNet stats; 1-channel images use the mean of the three (0.449 / 0.226). */
  | "imagenet"
  /** Per-image standardisation over all pixels and channels: (x - mean) / max(std, 1e-6). */
  | "standardize"
  /** Per-image min-max stretch to [0, 1] (a constant image maps to 0). */
  | "minmax"
  /** Identity: keep the decoder's [0, 1] scaling. */
  | "none";

export interface NormalizeOptions {
  mode: NormalizeMode;
  /** Override the ImageNet statistics (per channel, or one value for all). */
  mean?: readonly number[];
  std?: readonly number[];
}

function perChannel(values: readonly number[], channels: number, what: string): number[] {
  if (values.length === channels) return [...values];
  if (values.length === 1) return Array(channels).fill(values[0]);
  if (channels === 1) return [values.reduce((a, b) => a + b, 0) / values.length];
  throw new Error(`normalize: ${what} has ${values.length} values for a ${channels}-channel image`);
}

export function normalizeImage(image: ImageData32, options: NormalizeOptions): ImageData32 {
  const src = image.data;
  const C = image.channels;
  const out = new Float32Array(src.length);
  switch (options.mode) {
    case "none":
      out.set(src);
      break;
    case "imagenet": {
      const mean = perChannel(options.mean ?? IMAGENET_MEAN, C, "mean");
      const std = perChannel(options.std ?? IMAGENET_STD, C, "std");
      for (let i = 0; i < src.length; i++) {
        const c = i % C;
        out[i] = (src[i] - mean[c]) / std[c];
      }
      break;
    }
    case "standardize": {
      let sum = 0;
      for (let i = 0; i < src.length; i++) sum += src[i];
      const mean = sum / Math.max(1, src.length);
      let sq = 0;
      for (let i = 0; i < src.length; i++) sq += (src[i] - mean) ** 2;
      const std = Math.max(Math.sqrt(sq / Math.max(1, src.length)), 1e-6);
      for (let i = 0; i < src.length; i++) out[i] = (src[i] - mean) / std;
      break;
    }
    case "minmax": {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < src.length; i++) {
        if (src[i] < lo) lo = src[i];
        if (src[i] > hi) hi = src[i];
      }
      const range = hi - lo;
      for (let i = 0; i < src.length; i++) out[i] = range > 0 ? (src[i] - lo) / range : 0;
      break;
    }
    default:
      throw new Error(`normalize: unknown mode "${(options as { mode: string }).mode}"`);
  }
  return { ...image, data: out };
}

export function normalize(options: NormalizeOptions): Transform {
  return photometric(`normalize-${options.mode}`, (image) => normalizeImage(image, options), true);
}
