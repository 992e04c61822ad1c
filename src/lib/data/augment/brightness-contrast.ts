/**
 * Brightness / contrast jitter. Contrast scales deviations from the image mean (so it does not
 * also shift brightness, unlike albumentations' alpha*x); brightness adds an offset. Output is
 * clipped to [0, 1]. Photometric: the mask passes through unchanged.
 */
import type { ImageData32 } from "../types";
import { clamp01, photometric, type Transform } from "./types";

/** out = clip(contrast * (x - mean) + mean + brightness), mean over all pixels and channels. */
export function adjustBrightnessContrast(image: ImageData32, brightness: number, contrast: number): ImageData32 {
  const src = image.data;
  let sum = 0;
  for (let i = 0; i < src.length; i++) sum += src[i];
  const mean = src.length > 0 ? sum / src.length : 0;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = clamp01(contrast * (src[i] - mean) + mean + brightness);
  return { ...image, data: out };
}

export interface BrightnessContrastOptions {
  /** brightness offset ~ U(-b, b); default 0.2 (albumentations' default limit). */
  brightness?: number;
  /** contrast factor ~ U(1 - c, 1 + c); default 0.2. */
  contrast?: number;
}

export function brightnessContrast(options: BrightnessContrastOptions = {}): Transform {
  const b = options.brightness ?? 0.2;
  const c = options.contrast ?? 0.2;
  return photometric("brightness-contrast", (image, rng) => {
    const brightness = rng.uniform(-b, b);
    const contrast = rng.uniform(1 - c, 1 + c);
    return adjustBrightnessContrast(image, brightness, contrast);
  });
}
