/**
 * Test-time intensity normalisation beyond what every model here already does (its first layer
 * standardises each image: gain and offset are gone — models/input-normalization.ts). What is left
 * of an intensity shift is the histogram's SHAPE (GC10 frames are mostly flat bright background,
 * NEU patches are texture edge to edge), so this maps each target image's grey-level CDF onto the
 * source's pooled CDF (histogram specification): after it, every target image has the source's
 * intensity distribution.
 */
import type { ImageData32 } from "../data/types";

export const HISTOGRAM_BINS = 256;

/** Histogram of values in [0, 1] over `bins` equal bins (counts, all channels pooled). */
export function intensityHistogram(image: ImageData32, bins = HISTOGRAM_BINS): number[] {
  const h = new Array<number>(bins).fill(0);
  for (const v of image.data) h[Math.min(bins - 1, Math.max(0, Math.floor(v * bins)))]++;
  return h;
}

/** The pooled, normalised histogram of a set of images (each image weighs the same). */
export function pooledHistogram(images: readonly ImageData32[], bins = HISTOGRAM_BINS): number[] {
  const out = new Array<number>(bins).fill(0);
  for (const im of images) {
    const h = intensityHistogram(im, bins);
    const n = im.data.length;
    h.forEach((c, i) => (out[i] += c / n / images.length));
  }
  return out;
}

function cdf(hist: readonly number[]): number[] {
  const total = hist.reduce((s, v) => s + v, 0);
  let acc = 0;
  return hist.map((v) => (acc += v) / total);
}

/**
 * Maps `image` so its histogram matches `reference` (a histogram over [0, 1]): each grey level goes
 * to the reference level with the nearest CDF value at or above its own (the classic lookup).
 */
export function matchHistogram(image: ImageData32, reference: readonly number[]): ImageData32 {
  const bins = reference.length;
  const src = cdf(intensityHistogram(image, bins));
  const ref = cdf(reference);
  const lut = new Float32Array(bins);
  let j = 0;
  for (let i = 0; i < bins; i++) {
    while (j < bins - 1 && ref[j] < src[i] - 1e-12) j++;
    lut[i] = (j + 0.5) / bins;
  }
  const out = new Float32Array(image.data.length);
  image.data.forEach((v, k) => (out[k] = lut[Math.min(bins - 1, Math.max(0, Math.floor(v * bins)))]));
  return { ...image, data: out };
}
