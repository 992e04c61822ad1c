/** In-memory storage: one process, nothing persisted (Optuna's InMemoryStorage). */
import { Distribution, ParamValue } from "../distributions";
import { FrozenTrial, StudyDirection, TrialState, externalParams } from "../trial/frozen";
import { RetryPolicy, retryAttrs } from "./retry";
import { CreateTrialOptions, Storage, StorageError, StudyRecord } from "./types";

interface MemStudy extends StudyRecord {
  trials: FrozenTrial[];
}

function copyTrial(t: FrozenTrial): FrozenTrial {
  return { ...t, values: t.values && [...t.values], params: { ...t.params }, distributions: { ...t.distributions }, intermediate: new Map(t.intermediate), userAttrs: { ...t.userAttrs }, systemAttrs: { ...t.systemAttrs } };
}

export class InMemoryStorage implements Storage {
  readonly description = "in-memory";
  private studies: MemStudy[] = [];
  private byId = new Map<number, FrozenTrial>();
  private nextTrialId = 1;

  async createStudy(name: string, directions: StudyDirection[]): Promise<StudyRecord> {
    if (this.studies.some((s) => s.name === name)) throw new StorageError(`study "${name}" already exists in ${this.description}`);
    const s: MemStudy = { studyId: this.studies.length + 1, name, directions: [...directions], trials: [] };
    this.studies.push(s);
    return { studyId: s.studyId, name, directions: [...directions] };
  }
  async getStudy(name: string): Promise<StudyRecord | undefined> {
    const s = this.studies.find((x) => x.name === name);
    return s && { studyId: s.studyId, name: s.name, directions: [...s.directions] };
  }
  async listStudies(): Promise<StudyRecord[]> {
    return this.studies.map((s) => ({ studyId: s.studyId, name: s.name, directions: [...s.directions] }));
  }
  async deleteStudy(studyId: number): Promise<void> {
    const s = this.study(studyId);
    for (const t of s.trials) this.byId.delete(t.trialId);
    this.studies = this.studies.filter((x) => x !== s);
  }
  private study(studyId: number): MemStudy {
    const s = this.studies.find((x) => x.studyId === studyId);
    if (!s) throw new StorageError(`no study with id ${studyId}`);
    return s;
  }
  private trial(trialId: number): FrozenTrial {
    const t = this.byId.get(trialId);
    if (!t) throw new StorageError(`no trial with id ${trialId}`);
    return t;
  }
  private newTrial(s: MemStudy, state: TrialState): FrozenTrial {
    const now = Date.now();
    const t: FrozenTrial = { trialId: this.nextTrialId++, number: s.trials.length, state, values: null, params: {}, distributions: {}, intermediate: new Map(), userAttrs: {}, systemAttrs: {}, start: state === "RUNNING" ? now : null, complete: null, heartbeat: null };
    s.trials.push(t);
    this.byId.set(t.trialId, t);
    return t;
  }
  async enqueueTrial(studyId: number, fixed: Record<string, ParamValue>, systemAttrs: Record<string, unknown> = {}): Promise<number> {
    const t = this.newTrial(this.study(studyId), "WAITING");
    t.systemAttrs = { ...systemAttrs, fixed_params: { ...fixed } };
    return t.number;
  }
  async claimOrCreateTrial(studyId: number, opts: CreateTrialOptions = {}): Promise<FrozenTrial | null> {
    const s = this.study(studyId);
    const waiting = s.trials.find((t) => t.state === "WAITING");
    if (waiting) {
      waiting.state = "RUNNING";
      waiting.start = Date.now();
      return copyTrial(waiting);
    }
    if (opts.maxTrials !== undefined && s.trials.filter((t) => t.state !== "FAIL").length >= opts.maxTrials) return null;
    return copyTrial(this.newTrial(s, "RUNNING"));
  }
  async setParam(trialId: number, name: string, internal: number, distribution: Distribution): Promise<void> {
    const t = this.trial(trialId);
    t.params[name] = internal;
    t.distributions[name] = distribution;
  }
  async setIntermediate(trialId: number, step: number, value: number): Promise<void> {
    this.trial(trialId).intermediate.set(step, value);
  }
  async setUserAttr(trialId: number, key: string, value: unknown): Promise<void> {
    this.trial(trialId).userAttrs[key] = value;
  }
  async setSystemAttr(trialId: number, key: string, value: unknown): Promise<void> {
    this.trial(trialId).systemAttrs[key] = value;
  }
  async finishTrial(trialId: number, state: "COMPLETE" | "PRUNED" | "FAIL", values: number[] | null): Promise<boolean> {
    const t = this.trial(trialId);
    if (t.state !== "RUNNING") return false;
    t.state = state;
    t.values = values && [...values];
    t.complete = Date.now();
    return true;
  }
  async heartbeat(trialId: number): Promise<void> {
    this.trial(trialId).heartbeat = Date.now();
  }
  async failStaleTrials(studyId: number, graceMs: number, retry?: RetryPolicy): Promise<FrozenTrial[]> {
    const s = this.study(studyId);
    const limit = Date.now() - graceMs;
    const stale = s.trials.filter((t) => t.state === "RUNNING" && t.heartbeat !== null && t.heartbeat < limit);
    for (const t of stale) {
      t.state = "FAIL";
      t.complete = Date.now();
      const attrs = retry && retryAttrs(t, retry);
      if (attrs) await this.enqueueTrial(studyId, externalParams(t), attrs);
    }
    return stale.map(copyTrial);
  }
  async getTrial(trialId: number): Promise<FrozenTrial> {
    return copyTrial(this.trial(trialId));
  }
  async getAllTrials(studyId: number, states?: readonly TrialState[]): Promise<FrozenTrial[]> {
    return this.study(studyId).trials.filter((t) => !states || states.includes(t.state)).map(copyTrial);
  }
  async close(): Promise<void> {}
}
