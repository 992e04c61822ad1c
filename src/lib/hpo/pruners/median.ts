/**
 * Median (percentile) pruning, as Optuna's MedianPruner: at step s, stop a trial whose best value so
 * far is worse than the median of the completed trials' values at step s. No pruning before
 * nStartupTrials trials completed, before nWarmupSteps, or off the intervalSteps grid.
 * A NaN report prunes at once (a diverged run).
 */
import { lastStep } from "../trial/frozen";
import { Pruner, PrunerContext } from "./types";

export interface PercentileOptions {
  percentile?: number;
  nStartupTrials?: number;
  nWarmupSteps?: number;
  intervalSteps?: number;
}

/** Linear-interpolation percentile (numpy's default), over finite values. */
export function percentile(values: number[], q: number): number {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const pos = (q / 100) * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

export class PercentilePruner implements Pruner {
  readonly name: string = "percentile";
  private readonly q: number;
  private readonly nStartup: number;
  private readonly nWarmup: number;
  private readonly interval: number;

  constructor(opts: PercentileOptions = {}) {
    this.q = opts.percentile ?? 50;
    if (!(this.q >= 0 && this.q <= 100)) throw new Error(`percentile must be in [0, 100], got ${this.q}`);
    this.nStartup = opts.nStartupTrials ?? 5;
    this.nWarmup = opts.nWarmupSteps ?? 0;
    this.interval = opts.intervalSteps ?? 1;
  }

  async prune(ctx: PrunerContext): Promise<boolean> {
    const step = lastStep(ctx.trial);
    if (step === null) return false;
    const completed = ctx.trials.filter((t) => t.state === "COMPLETE");
    if (completed.length < this.nStartup || step < this.nWarmup) return false;
    if ((step - this.nWarmup) % this.interval !== 0) return false;
    const minimize = ctx.directions[0] === "minimize";
    const own = [...ctx.trial.intermediate.entries()].filter(([s]) => s <= step).map(([, v]) => v);
    if (Number.isNaN(ctx.trial.intermediate.get(step)!)) return true;
    const best = minimize ? Math.min(...own.filter((x) => !Number.isNaN(x))) : Math.max(...own.filter((x) => !Number.isNaN(x)));
    // As Optuna: the q-th percentile of "how good" — for maximisation, the (100 − q)-th of the values.
    const others = completed.map((t) => t.intermediate.get(step)).filter((v): v is number => v !== undefined);
    if (!others.length) return false;
    const p = percentile(others, minimize ? this.q : 100 - this.q);
    if (Number.isNaN(p)) return false;
    return minimize ? best > p : best < p;
  }
}

export class MedianPruner extends PercentilePruner {
  override readonly name = "median";
  constructor(opts: Omit<PercentileOptions, "percentile"> = {}) {
    super({ ...opts, percentile: 50 });
  }
}
