/**
 * Tree-structured Parzen Estimator, independent per parameter (Optuna 3.1's default TPESampler):
 * after nStartupTrials random trials, split the finished trials into the best γ(n) ("below") and
 * the rest, fit a Parzen estimator l(x) to the good and g(x) to the bad values of the parameter,
 * draw nEiCandidates from l and keep the one maximising log l(x) − log g(x) (∝ expected improvement).
 * Pruned trials count as worse than every complete one, ranked by how far they got and their last
 * reported value, as in Optuna.
 */
import { Distribution, sameDistribution } from "../../distributions";
import { createRng } from "../../../util/rng";
import { FrozenTrial, StudyDirection, lastStep } from "../../trial/frozen";
import { sampleUniform } from "../random";
import { Sampler, SamplerContext } from "../types";
import { parzenEstimator, ParzenOptions } from "./parzen-estimator";

export interface TpeOptions extends Partial<ParzenOptions> {
  seed?: number;
  nStartupTrials?: number;
  nEiCandidates?: number;
  /** Size of the "below" group for n observations (default: min(ceil(0.1 n), 25)). */
  gamma?: (n: number) => number;
}

export const defaultGamma = (n: number): number => Math.min(Math.ceil(0.1 * n), 25);

/** Sort key: smaller is better. Complete trials first by value, then pruned ones by (−step, value). */
function rankKey(t: FrozenTrial, sign: number): [number, number, number] {
  if (t.state === "COMPLETE") return [0, 0, sign * t.values![0]];
  const step = lastStep(t);
  if (step === null) return [2, 0, 0];
  const v = t.intermediate.get(step)!;
  return [1, -step, Number.isNaN(v) ? Infinity : sign * v];
}

function compareKeys(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Splits trials (with this parameter) into below / above, each list in trial order. */
export function splitTrials(trials: FrozenTrial[], direction: StudyDirection, gamma: (n: number) => number): { below: FrozenTrial[]; above: FrozenTrial[] } {
  const sign = direction === "minimize" ? 1 : -1;
  const ranked = [...trials].sort((a, b) => compareKeys(rankKey(a, sign), rankKey(b, sign)) || a.number - b.number);
  const nBelow = gamma(trials.length);
  const below = new Set(ranked.slice(0, nBelow));
  const byNumber = (a: FrozenTrial, b: FrozenTrial) => a.number - b.number;
  return { below: trials.filter((t) => below.has(t)).sort(byNumber), above: trials.filter((t) => !below.has(t)).sort(byNumber) };
}

export class TpeSampler implements Sampler {
  readonly name = "tpe";
  private readonly seed: number;
  private readonly nStartup: number;
  private readonly nEi: number;
  private readonly gamma: (n: number) => number;
  private readonly parzen: ParzenOptions;

  constructor(opts: TpeOptions = {}) {
    this.seed = opts.seed ?? 0;
    this.nStartup = opts.nStartupTrials ?? 10;
    this.nEi = opts.nEiCandidates ?? 24;
    this.gamma = opts.gamma ?? defaultGamma;
    this.parzen = { priorWeight: opts.priorWeight ?? 1, considerMagicClip: opts.considerMagicClip ?? true, considerEndpoints: opts.considerEndpoints ?? false };
  }

  sampleIndependent(ctx: SamplerContext, param: string, dist: Distribution): number {
    if (ctx.directions.length !== 1) throw new Error("TpeSampler here is single-objective; use RandomSampler for a multi-objective study");
    const rng = createRng(this.seed, `tpe/${ctx.trialNumber}/${param}`);
    const usable = ctx.trials.filter(
      (t) => (t.state === "COMPLETE" || (t.state === "PRUNED" && t.intermediate.size > 0)) && param in t.params && sameDistribution(t.distributions[param], dist),
    );
    if (usable.filter((t) => t.state === "COMPLETE").length < this.nStartup && usable.length < this.nStartup) return sampleUniform(rng, dist);
    const { below, above } = splitTrials(usable, ctx.directions[0], this.gamma);
    const l = parzenEstimator(dist, below.map((t) => t.params[param]), this.parzen);
    const g = parzenEstimator(dist, above.map((t) => t.params[param]), this.parzen);
    let best = NaN;
    let bestScore = -Infinity;
    for (const x of l.sample(rng, this.nEi)) {
      const score = l.logPdf(x) - g.logPdf(x);
      if (score > bestScore || Number.isNaN(best)) {
        best = x;
        bestScore = score;
      }
    }
    return best;
  }
}
