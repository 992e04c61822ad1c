/**
 * The little dense linear algebra the shift diagnostics need, in float64 on plain arrays (the
 * embeddings are a few hundred × ≤ 512, and tfjs has no eigendecomposition): column means,
 * covariance, and the cyclic Jacobi eigen-solver for symmetric matrices (exact to round-off,
 * no convergence tuning, O(d³) per sweep — fine for d ≤ 512).
 */

export type Matrix = number[][];

/** Column means of an n×d matrix. */
export function columnMeans(x: Matrix): number[] {
  const d = x[0].length;
  const m = new Array<number>(d).fill(0);
  for (const row of x) for (let j = 0; j < d; j++) m[j] += row[j];
  return m.map((v) => v / x.length);
}

/** Sample covariance (divisor n − 1, as numpy.cov) of an n×d matrix. */
export function covariance(x: Matrix): Matrix {
  const n = x.length;
  if (n < 2) throw new Error(`cross-dataset: covariance needs at least 2 rows, got ${n}`);
  const d = x[0].length;
  const mu = columnMeans(x);
  const c: Matrix = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const r = new Array<number>(d);
  for (const row of x) {
    for (let j = 0; j < d; j++) r[j] = row[j] - mu[j];
    for (let a = 0; a < d; a++) {
      const ra = r[a];
      if (ra === 0) continue;
      const ca = c[a];
      for (let b = a; b < d; b++) ca[b] += ra * r[b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) c[b][a] = c[a][b] = c[a][b] / (n - 1);
  return c;
}

/** Eigenvalues (descending) and eigenvectors (columns of `vectors`, i.e. vectors[i][k] is component i of vector k) of a symmetric matrix. */
export function symmetricEigen(m: Matrix, maxSweeps = 100): { values: number[]; vectors: Matrix } {
  const d = m.length;
  const a = m.map((row) => [...row]);
  const v: Matrix = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < d; p++) {
      diag += a[p][p] * a[p][p];
      for (let q = p + 1; q < d; q++) off += a[p][q] * a[p][q];
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p][q];
        if (Math.abs(apq) < 1e-300) continue;
        // Rotation that zeroes a[p][q] (Golub & Van Loan, symmetric Schur).
        const tau = (a[q][q] - a[p][p]) / (2 * apq);
        const t = Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = a.map((row, i) => [row[i], i] as const).sort((x, y) => y[0] - x[0]);
  return { values: order.map(([val]) => val), vectors: v.map((row) => order.map(([, i]) => row[i])) };
}

/** A·B for dense matrices. */
export function matMul(a: Matrix, b: Matrix): Matrix {
  const n = a.length;
  const k = b.length;
  const m = b[0].length;
  const out: Matrix = Array.from({ length: n }, () => new Array<number>(m).fill(0));
  for (let i = 0; i < n; i++) {
    const oi = out[i];
    for (let t = 0; t < k; t++) {
      const ait = a[i][t];
      if (ait === 0) continue;
      const bt = b[t];
      for (let j = 0; j < m; j++) oi[j] += ait * bt[j];
    }
  }
  return out;
}

/** The symmetric PSD square root V·diag(√max(λ, 0))·Vᵀ. */
export function sqrtPsd(m: Matrix): Matrix {
  const { values, vectors } = symmetricEigen(m);
  const d = m.length;
  const scaled = vectors.map((row) => row.map((x, k) => x * Math.sqrt(Math.max(values[k], 0))));
  const out: Matrix = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += scaled[i][k] * vectors[j][k];
    out[i][j] = s;
  }
  return out;
}
