/** What an objective sees: the define-by-run API shared by Trial and FixedTrial. */
import { CategoricalChoice, Distribution, ParamValue, categoricalDistribution, floatDistribution, intDistribution } from "../distributions";

export interface SuggestFloatOptions {
  log?: boolean;
  step?: number;
}

export interface TrialLike {
  readonly number: number;
  /** External values suggested so far. */
  readonly params: Record<string, ParamValue>;
  suggestFloat(name: string, low: number, high: number, opts?: SuggestFloatOptions): number;
  suggestInt(name: string, low: number, high: number, opts?: SuggestFloatOptions): number;
  suggestCategorical<T extends CategoricalChoice>(name: string, choices: readonly T[]): T;
  /** An intermediate objective value at `step` (e.g. epoch); a repeated step is ignored, as Optuna does. */
  report(value: number, step: number): void;
  /** Asks the study's pruner about the values reported so far. */
  shouldPrune(): Promise<boolean>;
  setUserAttr(key: string, value: unknown): void;
}

export function checkReport(value: number, step: number): void {
  if (typeof value !== "number") throw new Error(`report(value, step): value must be a number, got ${JSON.stringify(value)}`);
  if (!Number.isInteger(step) || step < 0) throw new Error(`report(value, step): step must be an integer >= 0, got ${step}`);
}

/** suggestFloat / suggestInt / suggestCategorical on top of one `suggest(name, distribution)`. */
export abstract class SuggestBase {
  protected abstract suggest(name: string, dist: Distribution): ParamValue;
  suggestFloat(name: string, low: number, high: number, opts: SuggestFloatOptions = {}): number {
    return this.suggest(name, floatDistribution(low, high, opts)) as number;
  }
  suggestInt(name: string, low: number, high: number, opts: SuggestFloatOptions = {}): number {
    return this.suggest(name, intDistribution(low, high, opts)) as number;
  }
  suggestCategorical<T extends CategoricalChoice>(name: string, choices: readonly T[]): T {
    return this.suggest(name, categoricalDistribution(choices)) as T;
  }
}
