/** Horizontal / vertical flips: exact permutations applied identically to image and mask. */
import type { ImageData32 } from "../types";
import { flipHorizontal, flipVertical } from "./remap";
import { maskChannels, type AugSample, type Transform } from "./types";

export type FlipAxis = "horizontal" | "vertical";

/** Flips an image and its mask: horizontal mirrors x (x → W-1-x), vertical mirrors y. */
export function flip(sample: AugSample, axis: FlipAxis): AugSample {
  const { image, mask } = sample;
  const H = image.height;
  const W = image.width;
  const f = axis === "horizontal" ? flipHorizontal : flipVertical;
  const out: ImageData32 = { ...image, data: f(image.data, H, W, image.channels) };
  return { image: out, mask: mask && f(mask, H, W, maskChannels(image, mask)) };
}

/** Random horizontal flip (the probability lives in `compose`). */
export function horizontalFlip(): Transform {
  return { name: "hflip", kind: "geometric", apply: (s) => flip(s, "horizontal") };
}

export function verticalFlip(): Transform {
  return { name: "vflip", kind: "geometric", apply: (s) => flip(s, "vertical") };
}
