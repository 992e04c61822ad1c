/**
 * The one Storage interface (Optuna's BaseStorage, trimmed). Async because `pg` is; the in-memory
 * and SQLite versions resolve at once. Every state change is conditional on the current state
 * (RUNNING → finished, WAITING → RUNNING) so two workers can never both finish or both claim a trial.
 */
import { Distribution, ParamValue } from "../distributions";
import { FrozenTrial, StudyDirection, TrialState } from "../trial/frozen";
import { RetryPolicy } from "./retry";

export interface StudyRecord {
  studyId: number;
  name: string;
  directions: StudyDirection[];
}

export interface CreateTrialOptions {
  /** Study-wide cap: refuse (return null) when this many non-FAIL trials exist. */
  maxTrials?: number;
}

export interface Storage {
  /** Redacted description for logs (never contains a password). */
  readonly description: string;
  createStudy(name: string, directions: StudyDirection[]): Promise<StudyRecord>;
  /** undefined when no study has that name. */
  getStudy(name: string): Promise<StudyRecord | undefined>;
  listStudies(): Promise<StudyRecord[]>;
  deleteStudy(studyId: number): Promise<void>;
  /** A new WAITING trial whose suggest calls return `fixed` (external values; system attr fixed_params). Its number is allocated now. */
  enqueueTrial(studyId: number, fixed: Record<string, ParamValue>, systemAttrs?: Record<string, unknown>): Promise<number>;
  /**
   * Claims the oldest WAITING trial (→ RUNNING) or creates a RUNNING one with the next number,
   * in one transaction. null when `maxTrials` is reached.
   */
  claimOrCreateTrial(studyId: number, opts?: CreateTrialOptions): Promise<FrozenTrial | null>;
  setParam(trialId: number, name: string, internal: number, distribution: Distribution): Promise<void>;
  setIntermediate(trialId: number, step: number, value: number): Promise<void>;
  setUserAttr(trialId: number, key: string, value: unknown): Promise<void>;
  setSystemAttr(trialId: number, key: string, value: unknown): Promise<void>;
  /** RUNNING → state; false when the trial was no longer RUNNING (e.g. failed as stale). */
  finishTrial(trialId: number, state: Exclude<TrialState, "RUNNING" | "WAITING">, values: number[] | null): Promise<boolean>;
  heartbeat(trialId: number): Promise<void>;
  /** RUNNING trials whose heartbeat is older than graceMs → FAIL (conditional); with `retry`, a WAITING copy of each in the same transaction. Returns those this call failed. */
  failStaleTrials(studyId: number, graceMs: number, retry?: RetryPolicy): Promise<FrozenTrial[]>;
  getTrial(trialId: number): Promise<FrozenTrial>;
  getAllTrials(studyId: number, states?: readonly TrialState[]): Promise<FrozenTrial[]>;
  close(): Promise<void>;
}

export class StorageError extends Error {}
