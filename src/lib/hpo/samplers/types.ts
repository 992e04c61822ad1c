/** Samplers propose a parameter value (internal form) from the finished trials of a study. */
import { Distribution } from "../distributions";
import { FrozenTrial, StudyDirection } from "../trial/frozen";

export interface SamplerContext {
  directions: StudyDirection[];
  /** Snapshot of the study's trials, taken when the trial started (all states). */
  trials: FrozenTrial[];
  /** The asking trial's number: the seed stream of a draw, so results do not depend on worker timing. */
  trialNumber: number;
}

export interface Sampler {
  readonly name: string;
  sampleIndependent(ctx: SamplerContext, param: string, dist: Distribution): number;
  /** True when nothing is left to try (grid); optimize() then stops. */
  isExhausted?(ctx: Omit<SamplerContext, "trialNumber">): boolean;
}
