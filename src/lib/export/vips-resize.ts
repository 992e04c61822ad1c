/**
 * libvips' `resize` with the linear kernel (what `readImage` asks sharp for: fit "fill",
 * kernel "linear", libvips 8.17) re-done in plain TypeScript, so the inspection page in the
 * browser resizes an image to the same bytes as Node's `predict` — same bytes in, same
 * probabilities out. No Node or DOM dependency (it is bundled into the page's worker).
 *
 * The algorithm, per axis (vertical first, as vips_resize does; each pass rounds to uint8):
 *  1. the integer part of the reduction (gap 2): a box average over `int` rows, in libvips'
 *     fixed point ((sum + int/2) · ⌊2³²/(256·int)⌋ >> 24, uint32);
 *  2. the residual reduction: a triangle kernel widened by the residual factor, with
 *     2·rint(f)+1 taps whose weights are tabulated at 1/64-pixel positions, truncated to
 *     12-bit fixed point; edge pixels are repeated; output = (2048 + Σ wᵢ·pᵢ) >> 12, clipped.
 * Enlarging (output larger than input on an axis) is not exact here — libvips then uses an
 * affine bilinear interpolator — so `isExactResize` tells callers when to warn.
 */

const TRANSFORM_SCALE = 64;
const INTERPOLATE_SCALE = 4096;
const GAP = 2;

/** C's rint: round half to even. */
function rint(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** A 1-D view of an axis: `count` positions, stepping `stride` elements; `lines` other positions × C. */
interface Axis {
  length: number;
  /** Element offset of position i on line l, band b. */
  at: (line: number, i: number, band: number) => number;
}

export interface RawImage {
  data: Uint8Array;
  height: number;
  width: number;
  channels: number;
}

/** True when libvips would only reduce (no axis enlarged), the case reproduced byte for byte. */
export function isExactResize(height: number, width: number, outHeight: number, outWidth: number): boolean {
  return outHeight <= height && outWidth <= width;
}

/** Box average by an integer factor along one axis (libvips shrinkv/shrinkh with ceil). */
function boxShrink(img: RawImage, factor: number, vertical: boolean): RawImage {
  const { height: H, width: W, channels: C, data } = img;
  const outH = vertical ? Math.ceil(H / factor) : H;
  const outW = vertical ? W : Math.ceil(W / factor);
  const out = new Uint8Array(outH * outW * C);
  const amend = Math.floor(factor / 2);
  const multiplier = Math.floor(4294967296 / (256 * factor));
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      for (let b = 0; b < C; b++) {
        let sum = 0;
        for (let k = 0; k < factor; k++) {
          const yy = vertical ? Math.min(y * factor + k, H - 1) : y;
          const xx = vertical ? x : Math.min(x * factor + k, W - 1);
          sum += data[(yy * W + xx) * C + b];
        }
        // uint32 product, as in C; fits: (255·factor + amend) · multiplier < 2³².
        out[(y * outW + x) * C + b] = Math.floor((((sum + amend) * multiplier) % 4294967296) / 16777216);
      }
    }
  }
  return { data: out, height: outH, width: outW, channels: C };
}

/** Tap weights (12-bit fixed point) for each of the 65 sub-pixel positions. */
function masks(nPoint: number, shrink: number): Int16Array[] {
  const out: Int16Array[] = [];
  for (let t = 0; t <= TRANSFORM_SCALE; t++) {
    const x = Math.fround(t / TRANSFORM_SCALE);
    const half = x + nPoint / 2 - 1;
    const c = new Float64Array(nPoint);
    let sum = 0;
    for (let i = 0; i < nPoint; i++) {
      const xp = Math.abs((i - half) / shrink);
      c[i] = xp < 1 ? 1 - xp : 0;
      sum += c[i];
    }
    const s = new Int16Array(nPoint);
    for (let i = 0; i < nPoint; i++) s[i] = Math.trunc((c[i] / sum) * INTERPOLATE_SCALE);
    out.push(s);
  }
  return out;
}

/** One axis of vips_resize (reducev or reduceh with its gap shrink); `shrink` = in / out size. */
function reduceAxis(img: RawImage, shrink: number, vertical: boolean): RawImage {
  const n0 = vertical ? img.height : img.width;
  const outN = Math.floor(n0 / shrink + 0.5);
  let extra = outN * shrink - n0;
  let residual = shrink;
  const intShrink = Math.max(1, Math.floor(n0 / outN / GAP));
  if (intShrink > 1) {
    img = boxShrink(img, intShrink, vertical);
    residual /= intShrink;
    extra /= intShrink;
  }
  if (residual === 1) return img;
  const nPoint = 2 * rint(residual) + 1;
  const offset = (1 + extra) / 2 - 1;
  const table = masks(nPoint, residual);
  const pad = Math.ceil(nPoint / 2) - 1;
  const { height: H, width: W, channels: C, data } = img;
  const n = vertical ? H : W;
  const outH = vertical ? outN : H;
  const outW = vertical ? W : outN;
  const out = new Uint8Array(outH * outW * C);
  const lines = vertical ? W : H;
  for (let o = 0; o < outN; o++) {
    const X = (o + 0.5) * residual - 0.5 - offset;
    const ix = Math.trunc(X);
    const six = Math.trunc(X * TRANSFORM_SCALE * 2) & (TRANSFORM_SCALE * 2 - 1);
    const k = table[(six + 1) >> 1];
    for (let l = 0; l < lines; l++) {
      for (let b = 0; b < C; b++) {
        let sum = INTERPOLATE_SCALE >> 1;
        for (let i = 0; i < nPoint; i++) {
          const p = Math.min(Math.max(ix + i - pad, 0), n - 1);
          sum += k[i] * data[(vertical ? p * W + l : l * W + p) * C + b];
        }
        const v = sum >> 12;
        out[(vertical ? o * outW + l : l * outW + o) * C + b] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return { data: out, height: outH, width: outW, channels: C };
}

/** Bilinear (fit "fill") resize to outHeight × outWidth, byte-identical to sharp's for reductions. */
export function vipsResizeLinear(img: RawImage, outHeight: number, outWidth: number): RawImage {
  if (img.data.length !== img.height * img.width * img.channels) throw new Error(`resize: data length ${img.data.length} is not ${img.height}x${img.width}x${img.channels}`);
  if (outHeight === img.height && outWidth === img.width) return img;
  // sharp: scale = 1 / (in / out); libvips: shrink = 1 / scale.
  const vshrink = 1 / (1 / (img.height / outHeight));
  const hshrink = 1 / (1 / (img.width / outWidth));
  let r = img;
  if (outHeight < img.height) r = reduceAxis(r, vshrink, true);
  if (outWidth < img.width) r = reduceAxis(r, hshrink, false);
  if (r.height !== outHeight || r.width !== outWidth) r = enlargeBilinear(r, outHeight, outWidth);
  return r;
}

/** Enlarging axes: plain centre-aligned bilinear (close to, not identical with, libvips' affine). */
function enlargeBilinear(img: RawImage, outH: number, outW: number): RawImage {
  const { height: H, width: W, channels: C, data } = img;
  const out = new Uint8Array(outH * outW * C);
  for (let y = 0; y < outH; y++) {
    const sy = Math.min(Math.max((y + 0.5) * (H / outH) - 0.5, 0), H - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, H - 1);
    const fy = sy - y0;
    for (let x = 0; x < outW; x++) {
      const sx = Math.min(Math.max((x + 0.5) * (W / outW) - 0.5, 0), W - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, W - 1);
      const fx = sx - x0;
      for (let b = 0; b < C; b++) {
        const v =
          (data[(y0 * W + x0) * C + b] * (1 - fx) + data[(y0 * W + x1) * C + b] * fx) * (1 - fy) +
          (data[(y1 * W + x0) * C + b] * (1 - fx) + data[(y1 * W + x1) * C + b] * fx) * fy;
        out[(y * outW + x) * C + b] = Math.round(v);
      }
    }
  }
  return { data: out, height: outH, width: outW, channels: C };
}
