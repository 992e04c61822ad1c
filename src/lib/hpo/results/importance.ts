/**
 * Parameter importance by first-order variance decomposition: for each parameter, the share of the
 * objective's variance explained by its main effect — the correlation ratio η² = Var(E[y | x]) /
 * Var(y), with E[y | x] estimated per category, or per equal-count bin of x (log scale for log
 * parameters; ⌈√n⌉ bins, at most 10). Interactions are ignored (unlike Optuna's fANOVA, which
 * fits a random forest); importances are normalised to sum to 1, as Optuna reports them.
 * Written here because no JS package offers fANOVA or Sobol indices over tabular trials.
 */
import { FrozenTrial } from "../trial/frozen";

export interface Importance {
  param: string;
  importance: number;
  /** Unnormalised η². */
  eta2: number;
}

/** η² of y grouped by `groups` (group labels per observation). */
export function correlationRatio(y: number[], groups: (string | number)[]): number {
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const total = y.reduce((a, v) => a + (v - mean) ** 2, 0);
  if (total === 0) return 0;
  const sums = new Map<string | number, { s: number; n: number }>();
  y.forEach((v, i) => {
    const g = sums.get(groups[i]) ?? { s: 0, n: 0 };
    g.s += v;
    g.n += 1;
    sums.set(groups[i], g);
  });
  let between = 0;
  for (const { s, n } of sums.values()) between += n * (s / n - mean) ** 2;
  return between / total;
}

/** Equal-count bin index per value (ties stay in one bin). */
function quantileBins(x: number[], bins: number): number[] {
  const order = x.map((_, i) => i).sort((a, b) => x[a] - x[b]);
  const out = new Array<number>(x.length);
  let b = 0;
  order.forEach((idx, rank) => {
    const want = Math.floor((rank * bins) / x.length);
    if (want > b && x[idx] !== x[order[rank - 1]]) b = want;
    out[idx] = b;
  });
  return out;
}

/** Importances over COMPLETE single-objective trials that have every listed parameter. */
export function paramImportances(trials: FrozenTrial[], params?: string[]): Importance[] {
  const done = trials.filter((t) => t.state === "COMPLETE" && t.values?.length === 1);
  const names = params ?? [...new Set(done.flatMap((t) => Object.keys(t.params)))].sort();
  const usable = done.filter((t) => names.every((n) => n in t.params));
  if (usable.length < 2) throw new Error(`parameter importances need at least 2 COMPLETE trials with ${names.join(", ")}; have ${usable.length}`);
  const y = usable.map((t) => t.values![0]);
  const nBins = Math.min(10, Math.ceil(Math.sqrt(usable.length)));
  const raw = names.map((n) => {
    const d = usable[0].distributions[n];
    const x = usable.map((t) => t.params[n]);
    const groups = d.kind === "categorical" || new Set(x).size <= nBins ? x : quantileBins(d.log ? x.map(Math.log) : x, nBins);
    return { param: n, eta2: correlationRatio(y, groups) };
  });
  const sum = raw.reduce((a, r) => a + r.eta2, 0);
  return raw.map((r) => ({ ...r, importance: sum > 0 ? r.eta2 / sum : 1 / raw.length })).sort((a, b) => b.importance - a.importance);
}
