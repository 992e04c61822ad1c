/**
 * Asynchronous Successive Halving (ASHA; Li et al. 2020, Optuna's SuccessiveHalvingPruner). Rung r
 * is reached at step minResource · η^(minEarlyStoppingRate + r); a trial reaching it records its
 * value there (system attr completed_rung_r) and continues only if it is within the top 1/η of all
 * values recorded at that rung so far — no waiting for a full bracket, so workers never idle.
 */
import { Pruner, PrunerContext } from "./types";
import { lastStep } from "../trial/frozen";

export interface SuccessiveHalvingOptions {
  minResource?: number;
  reductionFactor?: number;
  minEarlyStoppingRate?: number;
}

const rungKey = (r: number) => `completed_rung_${r}`;

export class SuccessiveHalvingPruner implements Pruner {
  readonly name = "successive-halving";
  private readonly minResource: number;
  private readonly eta: number;
  private readonly s: number;

  constructor(opts: SuccessiveHalvingOptions = {}) {
    this.minResource = opts.minResource ?? 1;
    this.eta = opts.reductionFactor ?? 4;
    this.s = opts.minEarlyStoppingRate ?? 0;
    if (!(this.minResource >= 1)) throw new Error(`minResource must be >= 1, got ${this.minResource}`);
    if (!(this.eta >= 2)) throw new Error(`reductionFactor must be >= 2, got ${this.eta}`);
  }

  async prune(ctx: PrunerContext): Promise<boolean> {
    const step = lastStep(ctx.trial);
    if (step === null) return false;
    const value = ctx.trial.intermediate.get(step)!;
    let rung = 0;
    while (rungKey(rung) in ctx.trial.systemAttrs) rung++;
    const minimize = ctx.directions[0] === "minimize";
    for (;;) {
      if (step < this.minResource * this.eta ** (this.s + rung)) return false;
      if (Number.isNaN(value)) return true;
      await ctx.setSystemAttr(rungKey(rung), value);
      const competing = ctx.trials
        .filter((t) => t.trialId !== ctx.trial.trialId && rungKey(rung) in t.systemAttrs)
        .map((t) => Number(t.systemAttrs[rungKey(rung)]));
      competing.push(value);
      competing.sort((a, b) => (minimize ? a - b : b - a));
      const idx = Math.max(0, Math.floor(competing.length / this.eta) - 1);
      if (minimize ? value > competing[idx] : value < competing[idx]) return true;
      rung++;
    }
  }
}
