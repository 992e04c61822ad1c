/** Uniform random search (log-uniform for log parameters), seeded per trial and parameter. */
import { Distribution, snap } from "../distributions";
import { createRng, Rng } from "../../util/rng";
import { Sampler, SamplerContext } from "./types";

/** One uniform draw from a distribution, in internal form. */
export function sampleUniform(rng: Rng, dist: Distribution): number {
  if (dist.kind === "categorical") return rng.int(0, dist.choices.length);
  if (dist.log) {
    const lo = Math.log(dist.kind === "int" ? dist.low - 0.5 : dist.low);
    const hi = Math.log(dist.kind === "int" ? dist.high + 0.5 : dist.high);
    return snap(dist, Math.exp(rng.uniform(lo, hi)));
  }
  const half = dist.kind === "int" ? dist.step / 2 : dist.step !== null ? dist.step / 2 : 0;
  return snap(dist, rng.uniform(dist.low - half, dist.high + half));
}

export class RandomSampler implements Sampler {
  readonly name = "random";
  constructor(private readonly seed: number = 0) {}
  sampleIndependent(ctx: SamplerContext, param: string, dist: Distribution): number {
    return sampleUniform(createRng(this.seed, `random/${ctx.trialNumber}/${param}`), dist);
  }
}
