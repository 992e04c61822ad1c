/**
 * Class-imbalance tools. Severstal is ~47 % defect-free and class 2 is rare (~2 %); NEU is
 * balanced; GC10 is long-tailed. Two remedies: oversample rare classes per epoch
 * (`createWeightedSampler`), or weight the loss (`classWeights`).
 */
import { createRng } from "../util/rng";

export interface WeightedSampler {
  /** Draws per epoch. */
  numSamples: number;
  /**
   * Positions 0..weights.length-1 for one epoch. Seeded by (seed, epoch), so a resumed run
   * sees the same sequence and the result never depends on how many epochs ran before.
   */
  indices(epoch: number): number[];
}

export interface WeightedSamplerOptions {
  /** Per-item weights (>= 0, not all 0): probability of drawing item i ∝ weights[i]. */
  weights?: readonly number[];
  /** Per-item class labels: without `weights`, weights are 1 / count(label) (inverse class frequency). */
  labels?: readonly number[];
  /** Draws per epoch; default weights.length. */
  numSamples?: number;
  /** Default true (like torch's WeightedRandomSampler); without replacement needs numSamples <= #positive weights. */
  replacement?: boolean;
  seed: number;
}

export function createWeightedSampler(options: WeightedSamplerOptions): WeightedSampler {
  const w = options.weights ?? (options.labels ? inverseFrequencyWeights(options.labels) : undefined);
  if (!w) throw new Error("sampler: give per-item weights, or labels for inverse-class-frequency weights");
  const n = w.length;
  const numSamples = options.numSamples ?? n;
  const replacement = options.replacement ?? true;
  w.forEach((v, i) => {
    if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`sampler: weight ${i} is ${v}; weights must be finite and >= 0`);
  });
  const positive = w.filter((v) => v > 0).length;
  if (positive === 0) throw new Error("sampler: all weights are 0");
  if (!Number.isInteger(numSamples) || numSamples < 0) throw new Error(`sampler: numSamples must be an integer >= 0, got ${numSamples}`);
  if (!replacement && numSamples > positive) {
    throw new Error(`sampler: cannot draw ${numSamples} without replacement from ${positive} items with weight > 0`);
  }
  const cdf = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += w[i];
    cdf[i] = acc;
  }
  const total = acc;
  return {
    numSamples,
    indices(epoch: number): number[] {
      const rng = createRng(options.seed, `sampler/epoch${epoch}`);
      if (replacement) {
        const out = new Array<number>(numSamples);
        for (let k = 0; k < numSamples; k++) {
          // Binary search for the first cdf > u (zero-weight items have cdf equal to their predecessor's).
          const u = rng.next() * total;
          let lo = 0;
          let hi = n - 1;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (cdf[mid] > u) hi = mid;
            else lo = mid + 1;
          }
          out[k] = lo;
        }
        return out;
      }
      // Without replacement: Efraimidis–Spirakis keys u^(1/w), take the numSamples largest.
      const keys: Array<[number, number]> = [];
      for (let i = 0; i < n; i++) {
        const u = rng.next();
        if (w[i] > 0) keys.push([Math.log(1 - u) / w[i], i]);
      }
      keys.sort((a, b) => b[0] - a[0]);
      return keys.slice(0, numSamples).map(([, i]) => i);
    },
  };
}

/** Per-sample weights 1 / count(label): every class is drawn equally often in expectation. */
export function inverseFrequencyWeights(labels: readonly number[]): number[] {
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return labels.map((l) => 1 / counts.get(l)!);
}

/** A sampler over `labels` with inverse-class-frequency weights (the default remedy). */
export function createBalancedSampler(labels: readonly number[], options: { seed: number; numSamples?: number }): WeightedSampler {
  return createWeightedSampler({ labels, numSamples: options.numSamples, seed: options.seed });
}

export type ClassWeightMode = "inverse" | "balanced" | "sqrt-inverse";

/**
 * Loss weights per class from single labels (class indices) or multi-hot rows (positives are
 * counted per class). With count_c the class's count, n the number of labels, C = numClasses:
 * - "balanced":     n / (C * count_c)                       (sklearn `compute_class_weight`)
 * - "inverse":      (1 / count_c) scaled so the weights of present classes average 1
 * - "sqrt-inverse": (1 / sqrt(count_c)) scaled the same way (milder, for long tails)
 * A class with no example gets weight 0 (nothing to weight; avoids Infinity in the loss).
 */
export function classWeights(
  labels: readonly number[] | readonly (readonly number[])[],
  numClasses: number,
  mode: ClassWeightMode = "balanced",
): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  labels.forEach((l, i) => {
    if (Array.isArray(l)) {
      if (l.length !== numClasses) throw new Error(`classWeights: row ${i} has ${l.length} entries, expected ${numClasses}`);
      l.forEach((v: number, c: number) => {
        if (v) counts[c]++;
      });
    } else {
      const c = l as number;
      if (!Number.isInteger(c) || c < 0 || c >= numClasses) throw new Error(`classWeights: label ${i} is ${c}, expected 0..${numClasses - 1}`);
      counts[c]++;
    }
  });
  const n = labels.length;
  if (mode === "balanced") return counts.map((k) => (k > 0 ? n / (numClasses * k) : 0));
  const raw = counts.map((k) => (k > 0 ? (mode === "inverse" ? 1 / k : mode === "sqrt-inverse" ? 1 / Math.sqrt(k) : NaN) : 0));
  if (raw.some((v) => Number.isNaN(v))) throw new Error(`classWeights: unknown mode "${mode}" (inverse, balanced, sqrt-inverse)`);
  const present = counts.filter((k) => k > 0).length;
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((v) => (sum > 0 ? (v * present) / sum : 0));
}
