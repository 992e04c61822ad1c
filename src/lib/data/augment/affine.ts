/**
 * Small rotations and shifts (albumentations ShiftScaleRotate without scale). The image is
 * resampled bilinearly, the mask with nearest neighbour (labels stay 0/1), both through the SAME
 * inverse mapping so they stay aligned.
 *
 * Geometry (OpenCV `getRotationMatrix2D` convention, y axis down): a source pixel p moves to
 *   p' = R(angle) (p - c) + c + t,   c = ((W-1)/2, (H-1)/2),   t = (shiftX, shiftY) pixels,
 * a positive angle rotating counter-clockwise as displayed (90° on a square image == rot90 k=1).
 *
 * Fill modes for pixels whose source falls outside the image:
 * - "reflect":  mirror without repeating the edge pixel (OpenCV BORDER_REFLECT_101, albumentations'
 *               default); the mask is mirrored the same way, so mirrored defects stay labelled.
 * - "edge":     replicate the nearest edge pixel (BORDER_REPLICATE).
 * - "constant": image `fillValue` (default 0), mask 0 (no defect).
 */
import type { ImageData32 } from "../types";
import { maskChannels, type AugSample, type Transform } from "./types";

export type FillMode = "reflect" | "edge" | "constant";

export interface AffineParams {
  /** Degrees, counter-clockwise as displayed. */
  angle: number;
  /** Pixels, + = right. */
  shiftX: number;
  /** Pixels, + = down. */
  shiftY: number;
  fill?: FillMode;
  /** Image value for fill "constant". */
  fillValue?: number;
}

/** Maps a coordinate into [0, n) per the fill mode; -1 = outside (constant fill). */
function border(i: number, n: number, fill: FillMode): number {
  if (i >= 0 && i < n) return i;
  if (fill === "constant") return -1;
  if (fill === "edge" || n === 1) return i < 0 ? 0 : n - 1;
  const period = 2 * (n - 1);
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - m;
}

export function affine(sample: AugSample, params: AffineParams): AugSample {
  const { image, mask } = sample;
  const fill = params.fill ?? "reflect";
  const fillValue = params.fillValue ?? 0;
  const H = image.height;
  const W = image.width;
  const C = image.channels;
  const rad = (params.angle * Math.PI) / 180;
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  const cx = (W - 1) / 2;
  const cy = (H - 1) / 2;
  const src = image.data;
  const out = new Float32Array(src.length);
  const MC = mask ? maskChannels(image, mask) : 0;
  const outMask = mask ? new Uint8Array(mask.length) : undefined;
  // Snap near-integer source coordinates so exact rotations (90°) and integer shifts are exact.
  const snap = (v: number) => {
    const r = Math.round(v);
    return Math.abs(v - r) < 1e-9 ? r : v;
  };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // Inverse map: p = R(-angle) (p' - c - t) + c.
      const dx = x - cx - params.shiftX;
      const dy = y - cy - params.shiftY;
      const sx = snap(cos * dx - sin * dy + cx);
      const sy = snap(sin * dx + cos * dy + cy);
      const d = (y * W + x) * C;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      // Fast path: all four neighbours inside (most pixels for small rotations/shifts).
      const inside = x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H;
      const xa = inside ? x0 : border(x0, W, fill);
      const xb = inside ? x0 + 1 : border(x0 + 1, W, fill);
      const ya = inside ? y0 : border(y0, H, fill);
      const yb = inside ? y0 + 1 : border(y0 + 1, H, fill);
      const w00 = (1 - fy) * (1 - fx);
      const w01 = (1 - fy) * fx;
      const w10 = fy * (1 - fx);
      const w11 = fy * fx;
      if (inside) {
        const r0 = (ya * W + xa) * C;
        const r1 = (yb * W + xa) * C;
        for (let c = 0; c < C; c++) {
          out[d + c] = w00 * src[r0 + c] + w01 * src[r0 + C + c] + w10 * src[r1 + c] + w11 * src[r1 + C + c];
        }
      } else {
        for (let c = 0; c < C; c++) {
          const v00 = ya < 0 || xa < 0 ? fillValue : src[(ya * W + xa) * C + c];
          const v01 = ya < 0 || xb < 0 ? fillValue : src[(ya * W + xb) * C + c];
          const v10 = yb < 0 || xa < 0 ? fillValue : src[(yb * W + xa) * C + c];
          const v11 = yb < 0 || xb < 0 ? fillValue : src[(yb * W + xb) * C + c];
          out[d + c] = w00 * v00 + w01 * v01 + w10 * v10 + w11 * v11;
        }
      }
      if (mask && outMask) {
        const nx = border(Math.round(sx), W, fill);
        const ny = border(Math.round(sy), H, fill);
        if (nx >= 0 && ny >= 0) {
          const s = (ny * W + nx) * MC;
          const m = (y * W + x) * MC;
          for (let c = 0; c < MC; c++) outMask[m + c] = mask[s + c];
        }
      }
    }
  }
  const outImage: ImageData32 = { data: out, height: H, width: W, channels: C };
  return { image: outImage, mask: outMask };
}

export interface RandomAffineOptions {
  /** Max |angle| in degrees (uniform in [-maxAngle, maxAngle]); default 10. */
  maxAngle?: number;
  /** Max |shift| as a fraction of width / height (uniform); default 0.0625 like albumentations. */
  maxShift?: number;
  fill?: FillMode;
  fillValue?: number;
}

/** Random small rotation + shift; draws angle, shiftX, shiftY in that order. */
export function randomAffine(options: RandomAffineOptions = {}): Transform {
  const maxAngle = options.maxAngle ?? 10;
  const maxShift = options.maxShift ?? 0.0625;
  return {
    name: "affine",
    kind: "geometric",
    apply(s, rng) {
      const angle = rng.uniform(-maxAngle, maxAngle);
      const shiftX = rng.uniform(-maxShift, maxShift) * s.image.width;
      const shiftY = rng.uniform(-maxShift, maxShift) * s.image.height;
      return affine(s, { angle, shiftX, shiftY, fill: options.fill, fillValue: options.fillValue });
    },
  };
}
