/** Samplers and pruners by the names the `hpo` command and notebook 06 use. */
import { MedianPruner } from "../pruners/median";
import { SuccessiveHalvingPruner } from "../pruners/successive-halving";
import { NopPruner, Pruner } from "../pruners/types";
import { RandomSampler } from "../samplers/random";
import { TpeSampler } from "../samplers/tpe/sampler";
import { Sampler } from "../samplers/types";

export const SAMPLER_NAMES = ["tpe", "random"] as const;
export const PRUNER_NAMES = ["median", "asha", "none"] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];
export type PrunerName = (typeof PRUNER_NAMES)[number];

export function samplerByName(name: SamplerName, seed: number): Sampler {
  return name === "random" ? new RandomSampler(seed) : new TpeSampler({ seed });
}

/** median: Optuna's defaults (5 startup trials) but 1 warm-up epoch (the first epoch is noise); asha: η = 3 from epoch 1. */
export function prunerByName(name: PrunerName, opts: { nStartupTrials?: number; nWarmupSteps?: number } = {}): Pruner {
  if (name === "median") return new MedianPruner({ nStartupTrials: opts.nStartupTrials ?? 5, nWarmupSteps: opts.nWarmupSteps ?? 1 });
  if (name === "asha") return new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 3 });
  return new NopPruner();
}
