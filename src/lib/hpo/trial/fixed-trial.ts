/** FixedTrial: run an objective on given parameters without a study (Optuna's FixedTrial). */
import { Distribution, ParamValue, contains, describeDistribution, sameDistribution, toInternal } from "../distributions";
import { SuggestBase, TrialLike, checkReport } from "./trial-like";

export class FixedTrial extends SuggestBase implements TrialLike {
  readonly intermediate = new Map<number, number>();
  readonly userAttrs: Record<string, unknown> = {};
  private readonly seen: Record<string, Distribution> = {};
  readonly params: Record<string, ParamValue> = {};

  constructor(private readonly values: Record<string, ParamValue>, readonly number = 0) {
    super();
  }

  protected suggest(name: string, dist: Distribution): ParamValue {
    if (this.seen[name] && !sameDistribution(this.seen[name], dist)) throw new Error(`FixedTrial: "${name}" was suggested as ${describeDistribution(this.seen[name])} and now as ${describeDistribution(dist)}`);
    if (!(name in this.values)) throw new Error(`FixedTrial: no value for parameter "${name}" (given: ${Object.keys(this.values).join(", ") || "none"})`);
    const v = this.values[name];
    if (!contains(dist, toInternal(dist, v))) throw new Error(`FixedTrial: ${JSON.stringify(v)} for "${name}" is outside ${describeDistribution(dist)}`);
    this.seen[name] = dist;
    this.params[name] = v;
    return v;
  }
  report(value: number, step: number): void {
    checkReport(value, step);
    if (!this.intermediate.has(step)) this.intermediate.set(step, value);
  }
  async shouldPrune(): Promise<boolean> {
    return false;
  }
  setUserAttr(key: string, value: unknown): void {
    this.userAttrs[key] = value;
  }
}
