/**
 * Random scale crop: a square-ish window covering `scale` ∈ [minScale, 1] of each side, placed
 * uniformly, resampled bilinearly back to the input size (the output shape never changes, so it
 * works after the view's resize). The mask follows with nearest neighbour. WHY: NEU defects appear
 * at several scales; zooming in by up to 1/minScale teaches scale tolerance without new data.
 */
import type { ImageData32 } from "../types";
import { maskChannels, type AugSample, type Transform } from "./types";

export interface CropWindow {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** Bilinear resample of `win` (fractional pixels allowed) to outH × outW, pixel-centre aligned. */
export function resampleWindow(image: ImageData32, win: CropWindow, outH: number, outW: number): ImageData32 {
  const { height: H, width: W, channels: C, data } = image;
  const out = new Float32Array(outH * outW * C);
  const sy = win.height / outH;
  const sx = win.width / outW;
  for (let i = 0; i < outH; i++) {
    const y = Math.min(Math.max(win.top + (i + 0.5) * sy - 0.5, 0), H - 1);
    const y0 = Math.floor(y);
    const y1 = Math.min(y0 + 1, H - 1);
    const fy = y - y0;
    for (let j = 0; j < outW; j++) {
      const x = Math.min(Math.max(win.left + (j + 0.5) * sx - 0.5, 0), W - 1);
      const x0 = Math.floor(x);
      const x1 = Math.min(x0 + 1, W - 1);
      const fx = x - x0;
      for (let c = 0; c < C; c++) {
        const a = data[(y0 * W + x0) * C + c] * (1 - fx) + data[(y0 * W + x1) * C + c] * fx;
        const b = data[(y1 * W + x0) * C + c] * (1 - fx) + data[(y1 * W + x1) * C + c] * fx;
        out[(i * outW + j) * C + c] = a * (1 - fy) + b * fy;
      }
    }
  }
  return { data: out, height: outH, width: outW, channels: C };
}

function resampleMaskNearest(mask: Uint8Array, H: number, W: number, C: number, win: CropWindow): Uint8Array {
  const out = new Uint8Array(H * W * C);
  for (let i = 0; i < H; i++) {
    const y = Math.min(H - 1, Math.max(0, Math.round(win.top + (i + 0.5) * (win.height / H) - 0.5)));
    for (let j = 0; j < W; j++) {
      const x = Math.min(W - 1, Math.max(0, Math.round(win.left + (j + 0.5) * (win.width / W) - 0.5)));
      for (let c = 0; c < C; c++) out[(i * W + j) * C + c] = mask[(y * W + x) * C + c];
    }
  }
  return out;
}

export interface ScaleCropOptions {
  /** Smallest side fraction kept (default 0.75: up to 1.33× zoom). */
  minScale?: number;
}

export function randomScaleCrop(options: ScaleCropOptions = {}): Transform {
  const minScale = options.minScale ?? 0.75;
  if (!(minScale > 0 && minScale <= 1)) throw new Error(`randomScaleCrop: minScale must be in (0, 1], got ${minScale}`);
  return {
    name: `scale-crop≥${minScale}`,
    kind: "geometric",
    apply(s: AugSample, rng): AugSample {
      const { height: H, width: W } = s.image;
      const scale = rng.uniform(minScale, 1);
      const win = { height: H * scale, width: W * scale, top: 0, left: 0 };
      win.top = rng.uniform(0, H - win.height);
      win.left = rng.uniform(0, W - win.width);
      const image = resampleWindow(s.image, win, H, W);
      return { image, mask: s.mask && resampleMaskNearest(s.mask, H, W, maskChannels(s.image, s.mask), win) };
    },
  };
}
