/**
 * CAM pictures: the grey heatmap (0–255 = normalised CAM), a colour-mapped overlay on the image,
 * and data URLs for notebooks. Colormaps: "jet" (the Grad-CAM papers' and the write-up's look;
 * the usual piecewise-linear approximation r,g,b = clamp(1.5 − |4v − 3|, |4v − 2|, |4v − 1|)) and
 * "viridis" (perceptually uniform: linear interpolation of matplotlib's 9 key colours).
 */
import { encodePng, ImageData8 } from "../data/image-io";
import { ImageData32 } from "../data/types";

export type Colormap = "jet" | "viridis";

const VIRIDIS: [number, number, number][] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/** RGB 0..255 of a value in [0, 1]. */
export function colormapRgb(v: number, map: Colormap = "jet"): [number, number, number] {
  const t = clamp01(v);
  if (map === "jet") return [clamp01(1.5 - Math.abs(4 * t - 3)), clamp01(1.5 - Math.abs(4 * t - 2)), clamp01(1.5 - Math.abs(4 * t - 1))].map((c) => Math.round(255 * c)) as [number, number, number];
  const f = t * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(f));
  const w = f - i;
  return [0, 1, 2].map((k) => Math.round(VIRIDIS[i][k] * (1 - w) + VIRIDIS[i + 1][k] * w)) as [number, number, number];
}

/** The CAM [H·W] in [0, 1] as a grey 8-bit image. */
export function camGrey(cam: ArrayLike<number>, height: number, width: number): ImageData8 {
  if (cam.length !== height * width) throw new Error(`camGrey: ${cam.length} values for ${height}x${width}`);
  const data = new Uint8Array(cam.length);
  for (let i = 0; i < cam.length; i++) data[i] = Math.round(255 * clamp01(cam[i]));
  return { data, height, width, channels: 1 };
}

/** The image (grey or RGB, [0, 1]) blended with the colour-mapped CAM of the same size: RGB. */
export function camOverlay(img: ImageData32, cam: ArrayLike<number>, opts: { alpha?: number; colormap?: Colormap } = {}): ImageData8 {
  const n = img.height * img.width;
  if (cam.length !== n) throw new Error(`camOverlay: CAM has ${cam.length} values, image ${img.height}x${img.width}`);
  const a = opts.alpha ?? 0.5;
  const out = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) {
    const col = colormapRgb(cam[p], opts.colormap);
    for (let k = 0; k < 3; k++) {
      const base = 255 * img.data[p * img.channels + (img.channels >= 3 ? k : 0)];
      out[3 * p + k] = Math.round(Math.max(0, Math.min(255, (1 - a) * base + a * col[k])));
    }
  }
  return { data: out, height: img.height, width: img.width, channels: 3 };
}

export async function camOverlayPng(img: ImageData32, cam: ArrayLike<number>, opts: { alpha?: number; colormap?: Colormap } = {}): Promise<Buffer> {
  return encodePng(camOverlay(img, cam, opts));
}

/** `data:image/png;base64,…` for tslab's display.html / <img src>. */
export function pngDataUrl(png: Buffer): string {
  return `data:image/png;base64,${png.toString("base64")}`;
}
