/** Wilson score interval: unlike the normal approximation it stays inside [0, 1] for small n or rates near 0/1. */

/** A rate k/n with its 95 % Wilson interval. */
export interface Rate {
  k: number;
  n: number;
  rate: number;
  lo: number;
  hi: number;
}

/** k successes of n trials; z = 1.96 for 95 %. */
export function wilson(k: number, n: number, z = 1.96): Rate {
  if (!(Number.isInteger(k) && Number.isInteger(n) && n > 0 && k >= 0 && k <= n)) {
    throw new Error(`cross-dataset: wilson needs integers 0 ≤ k ≤ n, n > 0 (got k=${k}, n=${n})`);
  }
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { k, n, rate: p, lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}
