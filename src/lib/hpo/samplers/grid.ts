/**
 * Grid search over explicit values (Optuna's GridSampler). Trial n takes grid point n (mixed-radix
 * over the parameters in key order), so concurrent workers, whose trial numbers differ, never
 * repeat a point; the study is exhausted once every point has a trial.
 */
import { Distribution, toInternal, ParamValue } from "../distributions";
import { Sampler, SamplerContext } from "./types";

export class GridSampler implements Sampler {
  readonly name = "grid";
  private readonly names: string[];
  readonly size: number;

  constructor(private readonly space: Record<string, ParamValue[]>) {
    this.names = Object.keys(space).sort();
    for (const n of this.names) if (space[n].length === 0) throw new Error(`GridSampler: "${n}" has no values`);
    this.size = this.names.reduce((acc, n) => acc * space[n].length, 1);
  }

  /** The grid point (external values) of a trial number. */
  point(index: number): Record<string, ParamValue> {
    const out: Record<string, ParamValue> = {};
    let rest = index % this.size;
    for (const n of this.names) {
      const k = this.space[n].length;
      out[n] = this.space[n][rest % k];
      rest = Math.floor(rest / k);
    }
    return out;
  }

  sampleIndependent(ctx: SamplerContext, param: string, dist: Distribution): number {
    if (!(param in this.space)) throw new Error(`GridSampler: parameter "${param}" is not in the grid (${this.names.join(", ")})`);
    return toInternal(dist, this.point(ctx.trialNumber)[param] as ParamValue);
  }

  isExhausted(ctx: Omit<SamplerContext, "trialNumber">): boolean {
    return ctx.trials.filter((t) => t.state !== "FAIL").length >= this.size;
  }
}
