/**
 * Steel-like grey background: streaks along the rolling direction (vertical in image coordinates,
 * as in Severstal), a mild illumination gradient, low-frequency shading and pixel noise — plus,
 * sometimes, unlabelled defect-like distractors (a pronounced full-height streak, faint spots),
 * so a model cannot detect "anything darker than the background".
 */
import { Rng } from "../../util/rng";
import { Footprint, applyFootprint, ellipse, pixelNoise, segment } from "./raster";

export interface TextureParams {
  /** Mean grey level range [lo, hi) in [0, 1]. */
  base: [number, number];
  /** Amplitude of the rolling-direction streaks. */
  streak: [number, number];
  /** Pixel noise amplitude (uniform-triangular, ± this). */
  noise: [number, number];
  /** Illumination gradient amplitude across the image. */
  gradient: [number, number];
  /** Low-frequency shading amplitude. */
  shading: [number, number];
  /** Probability of a pronounced full-height streak (defect-like, not labelled). */
  pStreakDistractor: number;
  /** Probability of a few faint unlabelled spots. */
  pSpotDistractor: number;
  /** Length scale of the distractor spots in px. */
  spotScale: number;
}

/** 1-D value noise: random values every `step` px, linearly interpolated; amplitude ±1. */
function valueNoise1d(rng: Rng, n: number, step: number): Float32Array {
  const knots = Math.ceil(n / step) + 2;
  const k = new Float32Array(knots);
  for (let i = 0; i < knots; i++) k[i] = rng.uniform(-1, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / step;
    const j = Math.floor(t);
    const f = t - j;
    out[i] = k[j] * (1 - f) + k[j + 1] * f;
  }
  return out;
}

/** Sum of octaves of value noise, normalised to amplitude ~±1. */
function profile(rng: Rng, n: number, steps: number[]): Float32Array {
  const out = new Float32Array(n);
  let total = 0;
  steps.forEach((step, o) => {
    const a = 1 / (o + 1);
    total += a;
    const v = valueNoise1d(rng, n, step);
    for (let i = 0; i < n; i++) out[i] += a * v[i];
  });
  for (let i = 0; i < n; i++) out[i] /= total;
  return out;
}

/**
 * Grey background H×W in [0, 1] (row-major). Per pixel:
 *   base + streak·mix(colA[x], colB[x], t(y)) + gradient + shading(y, x) + noise.
 * Two column profiles blended along y make the streaks drift slowly, like real rolled strip.
 */
export function steelTexture(rng: Rng, height: number, width: number, p: TextureParams): Float32Array {
  const H = height;
  const W = width;
  const base = rng.uniform(p.base[0], p.base[1]);
  const streak = rng.uniform(p.streak[0], p.streak[1]);
  const noiseAmp = rng.uniform(p.noise[0], p.noise[1]);
  const grad = rng.uniform(p.gradient[0], p.gradient[1]) * (rng.bool() ? 1 : -1);
  const gradAngle = rng.uniform(0, 2 * Math.PI);
  const shadeAmp = rng.uniform(p.shading[0], p.shading[1]);
  const colA = profile(rng, W, [2, 7, 23, 97]);
  const colB = profile(rng, W, [3, 11, 41, 151]);
  const mixY = valueNoise1d(rng, H, Math.max(8, Math.round(H / 3)));
  // Low-frequency shading: a coarse grid, bilinear.
  const gh = 5;
  const gw = Math.max(2, Math.round((5 * W) / H));
  const grid = new Float32Array((gh + 1) * (gw + 1));
  for (let i = 0; i < grid.length; i++) grid[i] = rng.uniform(-1, 1);
  const gxCos = Math.cos(gradAngle) * grad;
  const gySin = Math.sin(gradAngle) * grad;
  const colTerm = new Float32Array(W);
  const colTermB = new Float32Array(W);
  for (let x = 0; x < W; x++) {
    const g = gxCos * (x / W - 0.5);
    colTerm[x] = streak * colA[x] + g;
    colTermB[x] = streak * colB[x] + g;
  }
  const rnd = pixelNoise(rng.seed32());
  // Inline xorshift32 (same generator as pixelNoise): this loop runs 2 M times for a GC10 image.
  let state = rng.seed32() >>> 0 || 0x9e3779b9;
  const inv = noiseAmp / 4294967296;
  const img = new Float32Array(H * W);
  const shadeRow = new Float32Array(gw + 1);
  for (let y = 0; y < H; y++) {
    const t = 0.5 + 0.5 * mixY[y];
    const rowTerm = base + gySin * (y / H - 0.5) - noiseAmp;
    const gyf = (y / H) * gh;
    const gy0 = Math.min(gh - 1, Math.floor(gyf));
    const fy = gyf - gy0;
    for (let j = 0; j <= gw; j++) shadeRow[j] = shadeAmp * (grid[gy0 * (gw + 1) + j] * (1 - fy) + grid[(gy0 + 1) * (gw + 1) + j] * fy);
    const sx = gw / W;
    for (let x = 0, p0 = y * W; x < W; x++) {
      const gxf = x * sx;
      const gx0 = Math.min(gw - 1, gxf | 0);
      const fx = gxf - gx0;
      const shade = shadeRow[gx0] + (shadeRow[gx0 + 1] - shadeRow[gx0]) * fx;
      // Two uniforms summed: triangular noise in [-noiseAmp, noiseAmp] (the -noiseAmp is in rowTerm).
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const u1 = state >>> 0;
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const u2 = state >>> 0;
      img[p0 + x] = rowTerm + colTerm[x] + (colTermB[x] - colTerm[x]) * t + shade + (u1 + u2) * inv;
    }
  }
  addDistractors(rng, img, H, W, p, rnd);
  return img;
}

/** Unlabelled look-alikes: never written to any mask or box. */
function addDistractors(rng: Rng, img: Float32Array, H: number, W: number, p: TextureParams, rnd: () => number): void {
  const f = new Footprint(H, W);
  if (rng.bool(p.pStreakDistractor)) {
    // A uniform full-height streak: like a scratch, but the same all along (a roll mark).
    const x = rng.uniform(0, W);
    const slope = rng.uniform(-0.03, 0.03) * H;
    segment(f, x, -2, x + slope, H + 2, rng.uniform(1.5, 6), 0.8);
    applyFootprint(f, img, undefined, rng.uniform(0.02, 0.06) * (rng.bool(0.7) ? -1 : 1), rnd, 0.2);
  }
  if (rng.bool(p.pSpotDistractor)) {
    const n = rng.int(1, 5);
    for (let i = 0; i < n; i++) {
      const r = rng.uniform(0.3, 1.2) * p.spotScale;
      ellipse(f, rng.uniform(0, W), rng.uniform(0, H), r * rng.uniform(0.6, 1.6), r, rng.uniform(0, Math.PI));
    }
    applyFootprint(f, img, undefined, -rng.uniform(0.015, 0.05), rnd, 0.4);
  }
}

/** Float grey [0, 1] → uint8 with `channels` copies per pixel (3 = RGB with grey content, like Severstal/NEU-DET). */
export function greyToUint8(img: Float32Array, channels: 1 | 3): Uint8Array {
  const out = new Uint8Array(img.length * channels);
  for (let i = 0; i < img.length; i++) {
    const v = img[i] * 255 + 0.5;
    const b = v <= 0 ? 0 : v >= 255 ? 255 : v | 0;
    if (channels === 1) out[i] = b;
    else {
      out[3 * i] = b;
      out[3 * i + 1] = b;
      out[3 * i + 2] = b;
    }
  }
  return out;
}
