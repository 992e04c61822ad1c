/**
 * defocus: an out-of-focus lens (the strip flutters out of the depth of field) spreads each
 * point over a disk — the circle of confusion. Kernel: the uniform disk of radius r, edges of the
 * frame clamped, anti-aliased along each row (a row at offset dy covers the interval
 * |dx| ≤ √(r² − dy²); its two end pixels count by the covered fraction), so the kernel grows
 * continuously with r instead of jumping as pixels enter the disk. Computed with per-row prefix
 * sums: each output pixel costs one lookup pair per disk row, so the large radii of 256×1600
 * frames stay fast. Severity s: r = 1 + 0.005 s · max(H, W) pixels (2 … 6 px on a 200×200 NEU patch).
 */
import { checkSeverity } from "../../augment/types";
import type { Perturbation } from "../types";

export function defocusParameters(s: number, size: { height: number; width: number }): { radiusPx: number } {
  checkSeverity(s);
  return { radiusPx: 1 + 0.005 * s * Math.max(size.height, size.width) };
}

/** One disk row: `full` whole pixels on each side of the centre, then one pixel at weight `edge`. */
interface DiskRow {
  dy: number;
  full: number;
  edge: number;
  /** Weight of the centre pixel when the row is narrower than one pixel (else 1). */
  centre: number;
}

function diskRows(r: number): { rows: DiskRow[]; total: number } {
  const rows: DiskRow[] = [];
  let total = 0;
  for (let dy = -Math.floor(r); dy <= Math.floor(r); dy++) {
    const a = Math.sqrt(r * r - dy * dy);
    if (a < 0.5) {
      rows.push({ dy, full: -1, edge: 0, centre: 2 * a });
      total += 2 * a;
      continue;
    }
    const full = Math.floor(a - 0.5);
    const edge = a - (full + 0.5);
    rows.push({ dy, full, edge, centre: 1 });
    total += 2 * full + 1 + 2 * edge;
  }
  return { rows, total };
}

export const defocus: Perturbation = {
  kind: "defocus",
  meaning: "defocus blur: a uniform disk kernel (circle of confusion) of radius r",
  sync: true,
  parameters: (s, size) => defocusParameters(s, size),
  apply(image, s) {
    const r = defocusParameters(s, image).radiusPx;
    const { rows, total } = diskRows(r);
    const R = Math.ceil(r) + 1;
    const { height: H, width: W, channels: C, data } = image;
    // prefix[(y·C + c)·(Wp+1) + k] = sum over padded columns < k of row y, channel c (columns clamped).
    const Wp = W + 2 * R;
    const prefix = new Float64Array(H * C * (Wp + 1));
    for (let y = 0; y < H; y++) {
      for (let c = 0; c < C; c++) {
        const base = (y * C + c) * (Wp + 1);
        for (let k = 0; k < Wp; k++) {
          const x = Math.min(W - 1, Math.max(0, k - R));
          prefix[base + k + 1] = prefix[base + k] + data[(y * W + x) * C + c];
        }
      }
    }
    const at = (base: number, k: number) => prefix[base + k + 1] - prefix[base + k];
    const out = new Float32Array(data.length);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const k0 = x + R;
        for (let c = 0; c < C; c++) {
          let sum = 0;
          for (const row of rows) {
            const yy = Math.min(H - 1, Math.max(0, y + row.dy));
            const base = (yy * C + c) * (Wp + 1);
            if (row.full < 0) {
              sum += row.centre * at(base, k0);
            } else {
              sum += prefix[base + k0 + row.full + 1] - prefix[base + k0 - row.full];
              sum += row.edge * (at(base, k0 - row.full - 1) + at(base, k0 + row.full + 1));
            }
          }
          const v = sum / total;
          out[(y * W + x) * C + c] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
      }
    }
    return { ...image, data: out };
  },
};
