/**
 * Rotation by multiples of 90° (numpy `rot90` convention: counter-clockwise as displayed, rows
 * top to bottom). Odd k swaps height and width, so on non-square images (Severstal 256x1600) use it
 * only where the model accepts both orientations.
 */
import type { ImageData32 } from "../types";
import { rot90Pixels } from "./remap";
import { maskChannels, type AugSample, type Transform } from "./types";

/**
 * out[i][j] for k = 1: in[j][W-1-i] (shape W x H); k = 2: in[H-1-i][W-1-j]; k = 3: in[H-1-j][i].
 * k may be any integer (taken mod 4).
 */
export function rot90(sample: AugSample, k: number): AugSample {
  if (!Number.isInteger(k)) throw new Error(`rot90: k must be an integer, got ${k}`);
  const kk = ((k % 4) + 4) % 4;
  const { image, mask } = sample;
  const H = image.height;
  const W = image.width;
  const outH = kk % 2 === 1 ? W : H;
  const outW = kk % 2 === 1 ? H : W;
  const q = kk as 0 | 1 | 2 | 3;
  const out: ImageData32 = {
    data: rot90Pixels(image.data, H, W, image.channels, q),
    height: outH,
    width: outW,
    channels: image.channels,
  };
  return { image: out, mask: mask && rot90Pixels(mask, H, W, maskChannels(image, mask), q) };
}

/**
 * Random rot90 with k drawn from `ks` (default 0..3). Pass `ks: [0, 2]` to keep the shape of
 * non-square images.
 */
export function randomRot90(options: { ks?: number[] } = {}): Transform {
  const ks = options.ks ?? [0, 1, 2, 3];
  if (ks.length === 0) throw new Error("randomRot90: ks must not be empty");
  return { name: "rot90", kind: "geometric", apply: (s, rng) => rot90(s, rng.pick(ks)) };
}
