/**
 * How far apart two sets of embeddings (the classifier's penultimate layer) are — two measures,
 * because each misses what the other sees:
 *
 * - Kernel MMD² (Gretton et al. 2012), unbiased estimator, Gaussian kernel
 *   k(x, y) = exp(−‖x − y‖² / (2σ²)). Bandwidth rule (stated, not tuned): the median heuristic —
 *   σ² = median of ‖x − y‖² over all distinct pairs of the POOLED sample (both sets), so the kernel
 *   is neither flat nor a spike at the data's own scale. MMD² is 0 (up to sampling noise, it can go
 *   slightly negative) when the two distributions are the same, and sees every moment.
 * - Fréchet distance (the FID formula) between Gaussians fitted to each set:
 *   ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁^{½} Σ₂ Σ₁^{½})^{½}). Only means and covariances, but in the
 *   embedding's own units and comparable across runs of the same model. With fewer samples than
 *   dimensions the covariances are rank-deficient; the formula still holds (PSD square roots).
 */
import { columnMeans, covariance, matMul, sqrtPsd, symmetricEigen, type Matrix } from "./linalg";

function sqDist(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return s;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

export interface MmdResult {
  mmd2: number;
  /** σ² of the Gaussian kernel (median heuristic on the pooled sample). */
  sigma2: number;
  bandwidthRule: "median pairwise squared distance of the pooled sample";
}

/** Unbiased MMD² with the Gaussian kernel; `sigma2` overrides the median heuristic. */
export function mmdRbf(x: Matrix, y: Matrix, sigma2?: number): MmdResult {
  if (x.length < 2 || y.length < 2) throw new Error(`cross-dataset: MMD needs at least 2 samples per set (got ${x.length}, ${y.length})`);
  const pooled = [...x, ...y];
  let s2 = sigma2;
  if (s2 === undefined) {
    const d: number[] = [];
    for (let i = 0; i < pooled.length; i++) for (let j = i + 1; j < pooled.length; j++) d.push(sqDist(pooled[i], pooled[j]));
    s2 = median(d);
  }
  if (!(s2 > 0)) throw new Error("cross-dataset: MMD bandwidth is 0 (all embeddings identical)");
  const k = (a: readonly number[], b: readonly number[]) => Math.exp(-sqDist(a, b) / (2 * s2!));
  const within = (z: Matrix) => {
    let s = 0;
    for (let i = 0; i < z.length; i++) for (let j = i + 1; j < z.length; j++) s += 2 * k(z[i], z[j]);
    return s / (z.length * (z.length - 1));
  };
  let cross = 0;
  for (const a of x) for (const b of y) cross += k(a, b);
  cross /= x.length * y.length;
  return { mmd2: within(x) + within(y) - 2 * cross, sigma2: s2, bandwidthRule: "median pairwise squared distance of the pooled sample" };
}

/** Fréchet distance between Gaussian fits of two sets (rows = samples). */
export function frechetDistance(x: Matrix, y: Matrix): number {
  const m1 = columnMeans(x);
  const m2 = columnMeans(y);
  const s1 = covariance(x);
  const s2 = covariance(y);
  const r1 = sqrtPsd(s1);
  const inner = matMul(matMul(r1, s2), r1);
  // Symmetrise against round-off before the eigen-solve.
  const sym = inner.map((row, i) => row.map((v, j) => (v + inner[j][i]) / 2));
  const trSqrt = symmetricEigen(sym).values.reduce((s, v) => s + Math.sqrt(Math.max(v, 0)), 0);
  let tr = 0;
  for (let i = 0; i < s1.length; i++) tr += s1[i][i] + s2[i][i];
  return sqDist(m1, m2) + tr - 2 * trSqrt;
}

/** Rows projected on the first two principal components of the pooled rows (sign fixed: the largest-|loading| entry positive). */
export function pca2d(rows: Matrix): { points: [number, number][]; explained: [number, number] } {
  const mu = columnMeans(rows);
  const { values, vectors } = symmetricEigen(covariance(rows));
  const total = values.reduce((s, v) => s + Math.max(v, 0), 0) || 1;
  const comps = [0, 1].map((k) => {
    const c = vectors.map((r) => r[k]);
    let big = 0;
    for (let i = 1; i < c.length; i++) if (Math.abs(c[i]) > Math.abs(c[big])) big = i;
    return c[big] < 0 ? c.map((v) => -v) : c;
  });
  const points = rows.map((r) => comps.map((c) => r.reduce((s, v, i) => s + (v - mu[i]) * c[i], 0)) as [number, number]);
  return { points, explained: [Math.max(values[0], 0) / total, Math.max(values[1] ?? 0, 0) / total] };
}
