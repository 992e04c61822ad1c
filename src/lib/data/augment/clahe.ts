/**
 * CLAHE (contrast-limited adaptive histogram equalisation, as OpenCV `createCLAHE`): the image is
 * cut into a grid of tiles, each tile's histogram is clipped at `clipLimit` times the mean bin
 * count (the excess is spread evenly over all bins, which is what limits noise amplification),
 * its CDF becomes a lookup table, and every pixel blends the LUTs of the four nearest tile
 * centres bilinearly (no tile seams). Channels are processed independently, so grey content
 * replicated over 3 channels stays grey. Output stays in [0, 1] (a LUT value is a CDF fraction).
 */
import type { Rng } from "../../util/rng";
import type { ImageData32 } from "../types";
import { photometric, type Transform } from "./types";

export interface ClaheOptions {
  /** Tile grid [rows, cols]; default [8, 8] like OpenCV. Clamped to the image size. */
  tiles?: [number, number];
  /** Clip limit relative to the mean bin count; default 2 (OpenCV's default is 40 on 8-bit). */
  clipLimit?: number;
  /** Histogram bins; default 256 (8-bit equivalent). */
  bins?: number;
}

export function clahe(image: ImageData32, options: ClaheOptions = {}): ImageData32 {
  const { height: H, width: W, channels: C, data } = image;
  const bins = options.bins ?? 256;
  const clipLimit = options.clipLimit ?? 2;
  const [tr, tc] = options.tiles ?? [8, 8];
  if (!(clipLimit > 0)) throw new Error(`clahe: clipLimit must be > 0, got ${clipLimit}`);
  if (!(tr >= 1 && tc >= 1)) throw new Error(`clahe: tiles must be >= 1, got [${tr}, ${tc}]`);
  const ty = Math.min(Math.floor(tr), H);
  const tx = Math.min(Math.floor(tc), W);
  // Tile boundaries (may differ by one pixel when the size is not divisible).
  const rowStart = Array.from({ length: ty + 1 }, (_, i) => Math.floor((i * H) / ty));
  const colStart = Array.from({ length: tx + 1 }, (_, j) => Math.floor((j * W) / tx));
  const rowCentre = Array.from({ length: ty }, (_, i) => (rowStart[i] + rowStart[i + 1] - 1) / 2);
  const colCentre = Array.from({ length: tx }, (_, j) => (colStart[j] + colStart[j + 1] - 1) / 2);
  const binOf = (v: number) => {
    const b = Math.round((v < 0 ? 0 : v > 1 ? 1 : v) * (bins - 1));
    return b;
  };

  // Per pixel-row / pixel-col: lower tile index and weight of the upper one (clamped at edges).
  const interp = (centres: number[], n: number) => {
    const lo = new Int32Array(n);
    const w = new Float32Array(n);
    for (let p = 0; p < n; p++) {
      if (p <= centres[0]) {
        lo[p] = 0;
        w[p] = 0;
      } else if (p >= centres[centres.length - 1]) {
        lo[p] = centres.length - 1;
        w[p] = 0;
      } else {
        let i = 0;
        while (centres[i + 1] < p) i++;
        lo[p] = i;
        w[p] = (p - centres[i]) / (centres[i + 1] - centres[i]);
      }
    }
    return { lo, w };
  };
  const rows = interp(rowCentre, H);
  const cols = interp(colCentre, W);

  const out = new Float32Array(data.length);
  const luts = new Float32Array(ty * tx * bins);
  const hist = new Float64Array(bins);
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < ty; i++) {
      for (let j = 0; j < tx; j++) {
        hist.fill(0);
        for (let y = rowStart[i]; y < rowStart[i + 1]; y++) {
          for (let x = colStart[j]; x < colStart[j + 1]; x++) hist[binOf(data[(y * W + x) * C + c])]++;
        }
        const area = (rowStart[i + 1] - rowStart[i]) * (colStart[j + 1] - colStart[j]);
        const limit = Math.max(1, (clipLimit * area) / bins);
        let excess = 0;
        for (let b = 0; b < bins; b++) {
          if (hist[b] > limit) {
            excess += hist[b] - limit;
            hist[b] = limit;
          }
        }
        const spread = excess / bins;
        let cdf = 0;
        const base = (i * tx + j) * bins;
        for (let b = 0; b < bins; b++) {
          cdf += hist[b] + spread;
          luts[base + b] = Math.min(1, cdf / area);
        }
      }
    }
    for (let y = 0; y < H; y++) {
      const i0 = rows.lo[y];
      const i1 = Math.min(i0 + 1, ty - 1);
      const wy = rows.w[y];
      for (let x = 0; x < W; x++) {
        const j0 = cols.lo[x];
        const j1 = Math.min(j0 + 1, tx - 1);
        const wx = cols.w[x];
        const idx = (y * W + x) * C + c;
        const b = binOf(data[idx]);
        const v00 = luts[(i0 * tx + j0) * bins + b];
        const v01 = luts[(i0 * tx + j1) * bins + b];
        const v10 = luts[(i1 * tx + j0) * bins + b];
        const v11 = luts[(i1 * tx + j1) * bins + b];
        out[idx] = (1 - wy) * ((1 - wx) * v00 + wx * v01) + wy * ((1 - wx) * v10 + wx * v11);
      }
    }
  }
  return { ...image, data: out };
}

export interface RandomClaheOptions {
  /** Clip limit ~ U(lo, hi); default [1, 4] like albumentations. */
  clipLimit?: [number, number];
  tiles?: [number, number];
}

export function randomClahe(options: RandomClaheOptions = {}): Transform {
  const [lo, hi] = options.clipLimit ?? [1, 4];
  return photometric("clahe", (image: ImageData32, rng: Rng) =>
    clahe(image, { clipLimit: rng.uniform(lo, hi), tiles: options.tiles }),
  );
}
