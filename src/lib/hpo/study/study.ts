/**
 * Study: a named optimisation over one Storage (Optuna's Study). ask() claims a WAITING trial or
 * allocates the next number; tell() finishes it conditionally; optimize() loops ask → objective →
 * tell with a progress bar, a trial budget (per call and study-wide), a timeout and error policy.
 */
import { ParamValue } from "../distributions";
import { Pruner, NopPruner } from "../pruners/types";
import { Sampler } from "../samplers/types";
import { TpeSampler } from "../samplers/tpe/sampler";
import { Storage, StudyRecord } from "../storage/types";
import { InMemoryStorage } from "../storage/memory";
import { openStorage } from "../storage/url";
import { FrozenTrial, StudyDirection, TrialState } from "../trial/frozen";
import { Trial } from "../trial/trial";
import { TrialPruned } from "../trial/pruned";
import { createProgress } from "../../util/progress";
import { Beat, HeartbeatOptions, failStale, startHeartbeat } from "./heartbeat";

export type ObjectiveValue = number | number[];
export type Objective = (trial: Trial) => ObjectiveValue | Promise<ObjectiveValue>;
export type StudyCallback = (study: Study, trial: FrozenTrial) => void | Promise<void>;

export interface CreateStudyOptions {
  /** Required with a persistent storage; in memory a name is made up. */
  name?: string;
  direction?: StudyDirection;
  directions?: StudyDirection[];
  sampler?: Sampler;
  pruner?: Pruner;
  /** A Storage or a URL (memory, sqlite:///…, postgresql://…). Default: in memory. */
  storage?: Storage | string;
  /** Open the existing study of that name instead of failing (its directions must match). */
  loadIfExists?: boolean;
  heartbeat?: HeartbeatOptions;
}

export interface OptimizeOptions {
  /** Trials this call runs (Optuna's n_trials, per worker). */
  nTrials?: number;
  /** Study-wide cap across all workers (Optuna's MaxTrialsCallback): non-FAIL trials. */
  maxTrials?: number;
  timeoutS?: number;
  /** Errors that FAIL the trial and carry on (true = every error). Others FAIL it and rethrow. */
  catch?: boolean | (new (...args: never[]) => Error)[];
  callbacks?: StudyCallback[];
  /** Progress bar label (default: the study name); false hides it. */
  progress?: string | false;
}

let anonymous = 0;

export async function createStudy(opts: CreateStudyOptions = {}): Promise<Study> {
  const storage = typeof opts.storage === "string" ? await openStorage(opts.storage) : opts.storage ?? new InMemoryStorage();
  const directions = opts.directions ?? [opts.direction ?? "minimize"];
  if (opts.direction && opts.directions) throw new Error("createStudy: give direction or directions, not both");
  for (const d of directions) if (d !== "minimize" && d !== "maximize") throw new Error(`createStudy: direction must be minimize or maximize, got "${String(d)}"`);
  const name = opts.name ?? `study-${process.pid}-${++anonymous}`;
  let record = await storage.getStudy(name);
  if (record && !opts.loadIfExists) throw new Error(`study "${name}" already exists in ${storage.description}; pass loadIfExists to resume it`);
  if (record && JSON.stringify(record.directions) !== JSON.stringify(directions)) {
    throw new Error(`study "${name}" in ${storage.description} has directions ${record.directions.join(", ")}, not ${directions.join(", ")}`);
  }
  if (!record) {
    try {
      record = await storage.createStudy(name, directions);
    } catch (e) {
      // Another worker created it between our read and our insert.
      record = opts.loadIfExists ? await storage.getStudy(name) : undefined;
      if (!record) throw e;
    }
  }
  return new Study(record, storage, opts.sampler ?? new TpeSampler(), opts.pruner ?? new NopPruner(), opts.heartbeat);
}

/** Opens an existing study. */
export async function loadStudy(opts: CreateStudyOptions & { name: string }): Promise<Study> {
  const storage = typeof opts.storage === "string" ? await openStorage(opts.storage) : opts.storage;
  if (!storage) throw new Error("loadStudy needs a storage");
  const record = await storage.getStudy(opts.name);
  if (!record) throw new Error(`no study "${opts.name}" in ${storage.description}`);
  return new Study(record, storage, opts.sampler ?? new TpeSampler(), opts.pruner ?? new NopPruner(), opts.heartbeat);
}

export class Study {
  private readonly beats = new Map<number, Beat>();

  constructor(
    private readonly record: StudyRecord,
    readonly storage: Storage,
    readonly sampler: Sampler,
    readonly pruner: Pruner,
    readonly heartbeat?: HeartbeatOptions,
  ) {}

  get name(): string {
    return this.record.name;
  }
  get studyId(): number {
    return this.record.studyId;
  }
  get directions(): StudyDirection[] {
    return [...this.record.directions];
  }
  get direction(): StudyDirection {
    if (this.record.directions.length !== 1) throw new Error(`study "${this.name}" is multi-objective; use directions`);
    return this.record.directions[0];
  }

  getTrials(states?: readonly TrialState[]): Promise<FrozenTrial[]> {
    return this.storage.getAllTrials(this.studyId, states);
  }

  /** The best COMPLETE trial (single objective); throws when there is none yet. */
  async bestTrial(): Promise<FrozenTrial> {
    const done = await this.getTrials(["COMPLETE"]);
    if (!done.length) throw new Error(`study "${this.name}" has no COMPLETE trial yet`);
    const sign = this.direction === "minimize" ? 1 : -1;
    return done.reduce((best, t) => (sign * t.values![0] < sign * best.values![0] ? t : best));
  }

  async bestValue(): Promise<number> {
    return (await this.bestTrial()).values![0];
  }

  /** Queues a trial whose suggest calls return these values (Optuna's enqueue_trial). */
  async enqueueTrial(params: Record<string, ParamValue>, userAttrs?: Record<string, unknown>): Promise<number> {
    return this.storage.enqueueTrial(this.studyId, params, userAttrs ? { enqueued_user_attrs: userAttrs } : {});
  }

  /** Starts a trial; null when maxTrials is reached. */
  async ask(opts: { maxTrials?: number } = {}): Promise<Trial | null> {
    await failStale(this.storage, this.studyId, this.heartbeat);
    const snapshot = await this.getTrials();
    const frozen = await this.storage.claimOrCreateTrial(this.studyId, opts);
    if (!frozen) return null;
    if (this.heartbeat) this.beats.set(frozen.trialId, await startHeartbeat(this.storage, frozen.trialId, this.heartbeat.intervalS));
    return new Trial({ storage: this.storage, sampler: this.sampler, pruner: this.pruner, directions: this.directions, studyId: this.studyId, snapshot }, frozen);
  }

  /**
   * Finishes a trial: values → COMPLETE (a NaN or wrong count → FAIL), or an explicit state.
   * Returns the stored trial; `accepted` is false when it was no longer RUNNING (failed as stale).
   */
  async tell(trial: Trial, result: ObjectiveValue | Exclude<TrialState, "RUNNING" | "WAITING">): Promise<{ trial: FrozenTrial; accepted: boolean }> {
    let writeError: Error | undefined;
    await trial.flush().catch((e: Error) => (writeError = e));
    const beat = this.beats.get(trial.trialId);
    this.beats.delete(trial.trialId);
    await beat?.stop();
    let state: "COMPLETE" | "PRUNED" | "FAIL";
    let values: number[] | null = null;
    if (typeof result === "string") state = result;
    else {
      values = Array.isArray(result) ? result : [result];
      const ok = values.length === this.record.directions.length && values.every((v) => typeof v === "number" && Number.isFinite(v));
      state = ok && !writeError ? "COMPLETE" : "FAIL";
      if (!ok) {
        await this.storage.setSystemAttr(trial.trialId, "fail_reason", `objective returned ${JSON.stringify(result)}; expected ${this.record.directions.length} finite number(s)`);
        values = null;
      }
    }
    if (writeError) await this.storage.setSystemAttr(trial.trialId, "fail_reason", `storage write failed: ${writeError.message}`).catch(() => undefined);
    const accepted = await this.storage.finishTrial(trial.trialId, state, state === "COMPLETE" ? values : null);
    return { trial: await this.storage.getTrial(trial.trialId), accepted };
  }

  async optimize(objective: Objective, opts: OptimizeOptions = {}): Promise<void> {
    if (opts.nTrials === undefined && opts.maxTrials === undefined && opts.timeoutS === undefined) throw new Error("optimize needs nTrials, maxTrials or timeoutS");
    const start = Date.now();
    const total = opts.nTrials ?? opts.maxTrials ?? 0;
    const bar = opts.progress === false ? undefined : createProgress({ total, label: opts.progress ?? `study ${this.name}` });
    const catches = (e: unknown) => opts.catch === true || (Array.isArray(opts.catch) && opts.catch.some((C) => e instanceof C));
    try {
      for (let n = 0; opts.nTrials === undefined || n < opts.nTrials; n++) {
        if (opts.timeoutS !== undefined && (Date.now() - start) / 1000 >= opts.timeoutS) break;
        if (this.sampler.isExhausted?.({ directions: this.directions, trials: await this.getTrials() })) break;
        const trial = await this.ask({ maxTrials: opts.maxTrials });
        if (!trial) break;
        let outcome: ObjectiveValue | "PRUNED" | "FAIL";
        let error: unknown;
        try {
          outcome = await objective(trial);
        } catch (e) {
          if (e instanceof TrialPruned) outcome = "PRUNED";
          else {
            outcome = "FAIL";
            error = e;
            await this.storage.setSystemAttr(trial.trialId, "fail_reason", String((e as Error)?.message ?? e));
          }
        }
        const { trial: done } = await this.tell(trial, outcome);
        for (const cb of opts.callbacks ?? []) await cb(this, done);
        bar?.tick(1, await this.progressValues(done));
        if (error !== undefined && !catches(error)) throw error;
      }
    } finally {
      bar?.done();
    }
  }

  private async progressValues(last: FrozenTrial): Promise<Record<string, number | string>> {
    const out: Record<string, number | string> = { trial: last.number, state: last.state };
    if (this.record.directions.length === 1) {
      const best = await this.bestTrial().catch(() => undefined);
      if (best) out.best = best.values![0];
    }
    return out;
  }
}
