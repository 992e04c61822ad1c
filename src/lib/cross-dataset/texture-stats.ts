/**
 * Texture statistics of one grey image (the model's input, as the model sees it), for the shift
 * diagnostics side by side. All on the first channel, values in [0, 1]:
 * - mean, std: brightness and contrast;
 * - gradient: mean |∇I| (forward differences) — edge density;
 * - laplacianVar: variance of the 4-neighbour Laplacian — fine (high-frequency) texture;
 * - glcmContrast / glcmHomogeneity: grey-level co-occurrence (16 levels, offset one pixel to the
 *   right, symmetric, normalised): Σ p(i,j)(i−j)² and Σ p(i,j)/(1+|i−j|) (Haralick).
 */
import type { ImageData32 } from "../data/types";

export interface TextureStats {
  mean: number;
  std: number;
  gradient: number;
  laplacianVar: number;
  glcmContrast: number;
  glcmHomogeneity: number;
}

export const TEXTURE_STATS: readonly (keyof TextureStats)[] = ["mean", "std", "gradient", "laplacianVar", "glcmContrast", "glcmHomogeneity"];

const GLCM_LEVELS = 16;

export function textureStats(image: ImageData32): TextureStats {
  const { height: H, width: W, channels: C, data } = image;
  const at = (y: number, x: number) => data[(y * W + x) * C];
  let s = 0;
  let s2 = 0;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const v = at(y, x);
    s += v;
    s2 += v * v;
  }
  const n = H * W;
  const mean = s / n;
  const std = Math.sqrt(Math.max(0, s2 / n - mean * mean));
  let g = 0;
  let gn = 0;
  for (let y = 0; y < H - 1; y++) for (let x = 0; x < W - 1; x++) {
    const v = at(y, x);
    g += Math.hypot(at(y, x + 1) - v, at(y + 1, x) - v);
    gn++;
  }
  let l = 0;
  let l2 = 0;
  let ln = 0;
  for (let y = 1; y < H - 1; y++) for (let x = 1; x < W - 1; x++) {
    const v = at(y - 1, x) + at(y + 1, x) + at(y, x - 1) + at(y, x + 1) - 4 * at(y, x);
    l += v;
    l2 += v * v;
    ln++;
  }
  const glcm = new Float64Array(GLCM_LEVELS * GLCM_LEVELS);
  const q = (v: number) => Math.min(GLCM_LEVELS - 1, Math.max(0, Math.floor(v * GLCM_LEVELS)));
  let pairs = 0;
  for (let y = 0; y < H; y++) for (let x = 0; x < W - 1; x++) {
    const a = q(at(y, x));
    const b = q(at(y, x + 1));
    glcm[a * GLCM_LEVELS + b]++;
    glcm[b * GLCM_LEVELS + a]++;
    pairs += 2;
  }
  let con = 0;
  let hom = 0;
  for (let i = 0; i < GLCM_LEVELS; i++) for (let j = 0; j < GLCM_LEVELS; j++) {
    const p = glcm[i * GLCM_LEVELS + j] / pairs;
    con += p * (i - j) * (i - j);
    hom += p / (1 + Math.abs(i - j));
  }
  const lm = ln ? l / ln : 0;
  return {
    mean,
    std,
    gradient: gn ? g / gn : 0,
    laplacianVar: ln ? Math.max(0, l2 / ln - lm * lm) : 0,
    glcmContrast: con,
    glcmHomogeneity: hom,
  };
}

/** Mean and standard deviation of each statistic over a set of images. */
export function summariseTexture(stats: readonly TextureStats[]): Record<keyof TextureStats, { mean: number; sd: number }> {
  const out = {} as Record<keyof TextureStats, { mean: number; sd: number }>;
  for (const k of TEXTURE_STATS) {
    const v = stats.map((s) => s[k]);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - m) * (b - m), 0) / (v.length - 1)) : 0;
    out[k] = { mean: m, sd };
  }
  return out;
}
