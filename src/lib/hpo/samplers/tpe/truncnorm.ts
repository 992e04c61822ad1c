/**
 * The truncated standard normal: log probability mass of an interval, log density and inverse-CDF
 * sampling. Written here because no maintained JS package gives tail-accurate log masses (Optuna
 * has its own `_truncnorm.py` for the same reason). Accuracy: erfc to ~1e-7 relative (Numerical
 * Recipes' Chebyshev fit), which is plenty for ranking EI candidates. Intervals in the upper tail
 * are mirrored into the lower tail, where erfc keeps relative precision.
 */
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const SQRT1_2 = Math.SQRT1_2;

/** Complementary error function (Numerical Recipes erfcc, |relative error| < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** Standard normal CDF. */
export function ndtr(x: number): number {
  return 0.5 * erfc(-x * SQRT1_2);
}

/** log(Φ(b) − Φ(a)) for a < b, mirrored so both ends sit where Φ is accurate. */
export function logGaussMass(a: number, b: number): number {
  if (a > 0) return logGaussMass(-b, -a);
  // Now a <= 0: Φ(a) is small-and-accurate; Φ(b) may be near 1, use 1 - Φ(b) = Φ(-b).
  const mass = b <= 0 ? ndtr(b) - ndtr(a) : 1 - ndtr(-b) - ndtr(a);
  return Math.log(Math.max(mass, 1e-300));
}

/** Inverse standard normal CDF (Acklam's rational approximation + one Halley step). */
export function ndtri(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  let x: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p > 1 - 0.02425) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  const e = ndtr(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** log density at standardized z of the normal truncated to [a, b]. */
export function truncnormLogPdf(z: number, a: number, b: number): number {
  if (z < a || z > b) return -Infinity;
  return -0.5 * z * z - LOG_SQRT_2PI - logGaussMass(a, b);
}

/** A draw from the standard normal truncated to [a, b], given u ~ U(0,1). */
export function truncnormSample(u: number, a: number, b: number): number {
  if (a > 0) return -truncnormSample(1 - u, -b, -a);
  const pa = ndtr(a);
  const pb = ndtr(b);
  const z = ndtri(pa + u * (pb - pa));
  return Math.min(b, Math.max(a, Number.isFinite(z) ? z : pa + u * (pb - pa) === 0 ? a : b));
}
