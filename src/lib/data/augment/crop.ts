/**
 * Crops for segmentation training (Severstal 256x1600 → 256x256 patches). "defect" crops are
 * biased towards defects: with probability `defectProb` (when the mask has any defect pixel) the
 * window is placed so that a uniformly drawn defect pixel lies inside it, otherwise uniformly.
 */
import type { Rng } from "../../util/rng";
import type { ImageData32 } from "../types";
import { cropPixels } from "./remap";
import { maskChannels, type AugSample, type Transform } from "./types";

/** Exact crop of image and mask at (top, left), size height x width (must fit inside). */
export function crop(sample: AugSample, top: number, left: number, height: number, width: number): AugSample {
  const { image, mask } = sample;
  const W = image.width;
  if (top < 0 || left < 0 || top + height > image.height || left + width > W || height < 1 || width < 1) {
    throw new Error(
      `crop ${height}x${width} at (${top}, ${left}) does not fit in a ${image.height}x${W} image`,
    );
  }
  const out: ImageData32 = {
    data: cropPixels(image.data, W, image.channels, top, left, height, width),
    height,
    width,
    channels: image.channels,
  };
  return { image: out, mask: mask && cropPixels(mask, W, maskChannels(image, mask), top, left, height, width) };
}

export interface CropOptions {
  height: number;
  width: number;
  /** "random": uniform window; "defect": defect-biased (needs a mask; falls back to uniform without defects). Default "random". */
  mode?: "random" | "defect";
  /** Probability of centring on a defect in "defect" mode; default 0.7. */
  defectProb?: number;
}

/** Chooses the crop window; a dimension larger than the image is clamped to the image. */
export function chooseCrop(
  sample: AugSample,
  options: CropOptions,
  rng: Rng,
): { top: number; left: number; height: number; width: number } {
  const H = sample.image.height;
  const W = sample.image.width;
  const h = Math.min(options.height, H);
  const w = Math.min(options.width, W);
  const wantDefect = (options.mode ?? "random") === "defect" && rng.next() < (options.defectProb ?? 0.7);
  if (wantDefect && sample.mask) {
    const mask = sample.mask;
    const C = maskChannels(sample.image, mask);
    // Two passes: count defect pixels (any channel), then take the k-th; one rng draw.
    const isDefect = (p: number) => {
      for (let c = 0; c < C; c++) if (mask[p * C + c]) return true;
      return false;
    };
    let count = 0;
    for (let p = 0; p < H * W; p++) if (isDefect(p)) count++;
    let chosen = -1;
    if (count > 0) {
      let k = rng.int(0, count);
      for (let p = 0; p < H * W && chosen < 0; p++) if (isDefect(p) && k-- === 0) chosen = p;
    }
    if (chosen >= 0) {
      const py = Math.floor(chosen / W);
      const px = chosen % W;
      const top = rng.int(Math.max(0, py - h + 1), Math.min(py, H - h) + 1);
      const left = rng.int(Math.max(0, px - w + 1), Math.min(px, W - w) + 1);
      return { top, left, height: h, width: w };
    }
  }
  return { top: rng.int(0, H - h + 1), left: rng.int(0, W - w + 1), height: h, width: w };
}

export function randomCrop(options: CropOptions): Transform {
  return {
    name: `crop-${options.mode ?? "random"}`,
    kind: "geometric",
    apply(s, rng) {
      const c = chooseCrop(s, options, rng);
      return crop(s, c.top, c.left, c.height, c.width);
    },
  };
}
