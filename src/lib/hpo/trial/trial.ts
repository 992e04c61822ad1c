/**
 * A running trial of a study. suggest* are synchronous (define-by-run, as in Optuna): the sampler
 * reads a snapshot of the study taken when the trial started, and the storage writes are queued
 * and awaited at the next shouldPrune() / tell, where any write error surfaces.
 */
import { Distribution, ParamValue, contains, describeDistribution, isSingle, sameDistribution, toExternal, toInternal } from "../distributions";
import { Pruner } from "../pruners/types";
import { Sampler } from "../samplers/types";
import { Storage } from "../storage/types";
import { FrozenTrial, StudyDirection } from "./frozen";
import { SuggestBase, TrialLike, checkReport } from "./trial-like";

export interface TrialDeps {
  storage: Storage;
  sampler: Sampler;
  pruner: Pruner;
  directions: StudyDirection[];
  studyId: number;
  /** The study's trials when this trial started. */
  snapshot: FrozenTrial[];
}

export class Trial extends SuggestBase implements TrialLike {
  private readonly state: FrozenTrial;
  private pending: Promise<void> = Promise.resolve();
  private writeError: Error | undefined;
  private readonly fixed: Record<string, ParamValue>;

  constructor(private readonly deps: TrialDeps, frozen: FrozenTrial) {
    super();
    this.state = frozen;
    this.fixed = (frozen.systemAttrs.fixed_params as Record<string, ParamValue> | undefined) ?? {};
  }

  get number(): number {
    return this.state.number;
  }
  get trialId(): number {
    return this.state.trialId;
  }
  get params(): Record<string, ParamValue> {
    const out: Record<string, ParamValue> = {};
    for (const [k, v] of Object.entries(this.state.params)) out[k] = toExternal(this.state.distributions[k], v);
    return out;
  }
  /** The trial as it stands locally (params, reports, attrs). */
  frozen(): FrozenTrial {
    return { ...this.state, params: { ...this.state.params }, distributions: { ...this.state.distributions }, intermediate: new Map(this.state.intermediate), userAttrs: { ...this.state.userAttrs }, systemAttrs: { ...this.state.systemAttrs } };
  }

  private queue(write: () => Promise<void>): void {
    this.pending = this.pending.then(write).catch((e: Error) => {
      this.writeError ??= e;
    });
  }

  /** Waits for queued writes; rethrows the first one that failed. */
  async flush(): Promise<void> {
    await this.pending;
    if (this.writeError) throw this.writeError;
  }

  protected suggest(name: string, dist: Distribution): ParamValue {
    const seen = this.state.distributions[name];
    if (seen) {
      if (!sameDistribution(seen, dist)) throw new Error(`trial ${this.number}: parameter "${name}" was suggested as ${describeDistribution(seen)} and now as ${describeDistribution(dist)}; one name, one distribution`);
      return toExternal(dist, this.state.params[name]);
    }
    let internal: number;
    if (name in this.fixed) {
      internal = toInternal(dist, this.fixed[name]);
      if (!contains(dist, internal)) throw new Error(`trial ${this.number}: enqueued value ${JSON.stringify(this.fixed[name])} of "${name}" is outside ${describeDistribution(dist)}`);
    } else if (isSingle(dist)) internal = dist.kind === "categorical" ? 0 : dist.low;
    else internal = this.deps.sampler.sampleIndependent({ directions: this.deps.directions, trials: this.deps.snapshot, trialNumber: this.number }, name, dist);
    this.state.params[name] = internal;
    this.state.distributions[name] = dist;
    this.queue(() => this.deps.storage.setParam(this.trialId, name, internal, dist));
    return toExternal(dist, internal);
  }


  report(value: number, step: number): void {
    checkReport(value, step);
    if (this.state.intermediate.has(step)) return;
    this.state.intermediate.set(step, value);
    this.queue(() => this.deps.storage.setIntermediate(this.trialId, step, value));
  }

  async shouldPrune(): Promise<boolean> {
    await this.flush();
    if (this.state.intermediate.size === 0) return false;
    const trials = await this.deps.storage.getAllTrials(this.deps.studyId);
    return this.deps.pruner.prune({
      directions: this.deps.directions,
      trials,
      trial: this.frozen(),
      setSystemAttr: async (key, value) => {
        this.state.systemAttrs[key] = value;
        await this.deps.storage.setSystemAttr(this.trialId, key, value);
      },
    });
  }

  setUserAttr(key: string, value: unknown): void {
    this.state.userAttrs[key] = value;
    this.queue(() => this.deps.storage.setUserAttr(this.trialId, key, value));
  }
}
