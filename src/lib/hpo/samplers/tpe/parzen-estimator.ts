/**
 * A one-parameter Parzen estimator as in Optuna 3.1's independent TPE: one truncated-Gaussian
 * kernel per observation plus a prior kernel (centre of the range, width of the range); kernel
 * widths from the distance to the sorted neighbours, clipped below by the "magic clip"
 * range / min(100, 1 + kernels). Log-scale parameters live in log space; int / stepped floats are
 * discrete: a value's probability is the kernel mass over [x − q/2, x + q/2].
 * Categorical: each observation puts weight 1 on its choice on top of priorWeight / (n + 1) spread
 * over all choices.
 * Continuous densities include the −log σ of each kernel, which Optuna 3.1 omits
 * (optuna/optuna#5109, fixed upstream in #5110).
 */
import { Distribution } from "../../distributions";
import { Rng } from "../../../util/rng";
import { logGaussMass, truncnormLogPdf, truncnormSample } from "./truncnorm";

export interface ParzenOptions {
  priorWeight: number;
  considerMagicClip: boolean;
  considerEndpoints: boolean;
}

/** Optuna's default_weights: flat for the 25 newest observations, a linear ramp for older ones. */
export function defaultWeights(n: number): number[] {
  if (n < 25) return new Array(n).fill(1);
  const ramp = Array.from({ length: n - 25 }, (_, i) => (n - 25 === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (n - 26)));
  return [...ramp, ...new Array(25).fill(1)];
}

export interface ParzenEstimator {
  /** Internal-space samples (log-scale values are returned in natural scale, snapped to the grid). */
  sample(rng: Rng, size: number): number[];
  logPdf(x: number): number;
}

function logSumExp(xs: number[]): number {
  const m = Math.max(...xs);
  if (!Number.isFinite(m)) return m;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

function pickIndex(rng: Rng, p: number[]): number {
  const u = rng.next();
  let c = 0;
  for (let i = 0; i < p.length; i++) if ((c += p[i]) > u) return i;
  return p.length - 1;
}

/** `observations` are internal values in trial order (oldest first), so weights can ramp. */
export function parzenEstimator(dist: Distribution, observations: number[], opts: ParzenOptions): ParzenEstimator {
  const n = observations.length;
  const w = [...defaultWeights(n), opts.priorWeight];
  const wSum = w.reduce((a, b) => a + b, 0);
  const weights = w.map((x) => x / wSum);
  const logWeights = weights.map(Math.log);

  if (dist.kind === "categorical") {
    const k = dist.choices.length;
    const table = [...observations, -1].map((obs) => {
      const row = new Array(k).fill(opts.priorWeight / (n + 1));
      if (obs >= 0) row[Math.round(obs)] += 1;
      const s = row.reduce((a, b) => a + b, 0);
      return row.map((x) => x / s);
    });
    const marginal = Array.from({ length: k }, (_, c) => table.reduce((acc, row, i) => acc + weights[i] * row[c], 0));
    return {
      sample: (rng, size) => Array.from({ length: size }, () => pickIndex(rng, table[pickIndex(rng, weights)])),
      logPdf: (x) => Math.log(marginal[Math.round(x)]),
    };
  }

  const log = dist.log;
  const q = log ? null : dist.kind === "int" ? dist.step : dist.step;
  const half = dist.kind === "int" && log ? 0.5 : q !== null ? q / 2 : 0;
  const low = log ? Math.log(dist.low - (dist.kind === "int" ? 0.5 : 0)) : dist.low - half;
  const high = log ? Math.log(dist.high + (dist.kind === "int" ? 0.5 : 0)) : dist.high + half;
  const toSpace = (x: number) => (log ? Math.log(x) : x);
  const mus = [...observations.map(toSpace), 0.5 * (low + high)];
  const sigmas = kernelWidths(mus.slice(0, n), low, high, opts);
  sigmas.push(high - low);

  const fromSpace = (y: number) => {
    let v = log ? Math.exp(y) : y;
    if (dist.kind === "int") v = dist.low + Math.round((v - dist.low) / dist.step) * dist.step;
    else if (dist.step !== null) v = dist.low + Math.round((v - dist.low) / dist.step) * dist.step;
    return Math.min(dist.high, Math.max(dist.low, v));
  };
  const logAccept = mus.map((m, i) => logGaussMass((low - m) / sigmas[i], (high - m) / sigmas[i]));
  return {
    sample(rng, size) {
      return Array.from({ length: size }, () => {
        const i = pickIndex(rng, weights);
        const z = truncnormSample(rng.next(), (low - mus[i]) / sigmas[i], (high - mus[i]) / sigmas[i]);
        return fromSpace(mus[i] + sigmas[i] * z);
      });
    },
    logPdf(x) {
      const y = toSpace(x);
      const terms = mus.map((m, i) => {
        const s = sigmas[i];
        if (q === null) return logWeights[i] + truncnormLogPdf((y - m) / s, (low - m) / s, (high - m) / s) - Math.log(s);
        const lo = Math.max(y - q / 2, low);
        const hi = Math.min(y + q / 2, high);
        return logWeights[i] + logGaussMass((lo - m) / s, (hi - m) / s) - logAccept[i];
      });
      return logSumExp(terms);
    },
  };
}

/** Neighbour-distance kernel widths for the observations (prior kernel excluded), Optuna-style. */
function kernelWidths(obs: number[], low: number, high: number, opts: ParzenOptions): number[] {
  const all = [...obs, 0.5 * (low + high)]; // the prior's centre takes part in the neighbour sort
  const order = all.map((_, i) => i).sort((a, b) => all[a] - all[b]);
  const sorted = [low, ...order.map((i) => all[i]), high];
  const widths = new Array(all.length);
  for (let j = 1; j < sorted.length - 1; j++) widths[j - 1] = Math.max(sorted[j] - sorted[j - 1], sorted[j + 1] - sorted[j]);
  if (!opts.considerEndpoints && sorted.length >= 4) {
    widths[0] = sorted[2] - sorted[1];
    widths[widths.length - 1] = sorted[sorted.length - 2] - sorted[sorted.length - 3];
  }
  const maxSigma = high - low;
  const minSigma = opts.considerMagicClip ? (high - low) / Math.min(100, 1 + all.length) : 1e-12;
  const bySorted = new Array(all.length);
  order.forEach((orig, j) => (bySorted[orig] = Math.min(maxSigma, Math.max(minSigma, widths[j]))));
  return bySorted.slice(0, obs.length);
}
