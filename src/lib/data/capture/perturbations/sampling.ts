/** Sparse-kernel convolution with clamped edges, shared by the blur perturbations. */
import type { ImageData32 } from "../../types";

/** One kernel tap: weight w at integer offset (dy, dx). */
export interface Tap {
  dy: number;
  dx: number;
  w: number;
}

/**
 * Taps of a kernel given as weighted sample points at sub-pixel offsets: each point's bilinear
 * weights are splatted onto its four integer neighbours and equal offsets merged, so a line of
 * many samples becomes a few taps and the convolution does not interpolate per pixel.
 */
export function splatTaps(points: readonly { dy: number; dx: number; w: number }[]): Tap[] {
  const merged = new Map<string, Tap>();
  const add = (dy: number, dx: number, w: number) => {
    if (w === 0) return;
    const key = `${dy},${dx}`;
    const t = merged.get(key);
    if (t) t.w += w;
    else merged.set(key, { dy, dx, w });
  };
  for (const p of points) {
    const y0 = Math.floor(p.dy);
    const x0 = Math.floor(p.dx);
    const fy = p.dy - y0;
    const fx = p.dx - x0;
    add(y0, x0, p.w * (1 - fy) * (1 - fx));
    add(y0, x0 + 1, p.w * (1 - fy) * fx);
    add(y0 + 1, x0, p.w * fy * (1 - fx));
    add(y0 + 1, x0 + 1, p.w * fy * fx);
  }
  return [...merged.values()];
}

/** out(y, x) = Σ w · image(clamp(y + dy), clamp(x + dx)), clipped to [0, 1]. */
export function convolveTaps(image: ImageData32, taps: readonly Tap[]): ImageData32 {
  const { height: H, width: W, channels: C, data } = image;
  const acc = new Float64Array(data.length);
  const col = new Int32Array(W);
  for (const { dy, dx, w } of taps) {
    for (let x = 0; x < W; x++) col[x] = Math.min(W - 1, Math.max(0, x + dx)) * C;
    for (let y = 0; y < H; y++) {
      const src = Math.min(H - 1, Math.max(0, y + dy)) * W * C;
      const dst = y * W * C;
      for (let x = 0; x < W; x++) {
        const s = src + col[x];
        const d = dst + x * C;
        for (let c = 0; c < C; c++) acc[d + c] += w * data[s + c];
      }
    }
  }
  const out = new Float32Array(data.length);
  for (let i = 0; i < out.length; i++) out[i] = acc[i] < 0 ? 0 : acc[i] > 1 ? 1 : acc[i];
  return { ...image, data: out };
}
