/**
 * Storage over SQL (SQLite or PostgreSQL through a SqlDriver). Trial-number allocation, claiming a
 * WAITING trial and failing stale trials run inside one transaction each, and every state change
 * is a conditional UPDATE (`WHERE state = 'RUNNING'`), so concurrent workers never lose, duplicate
 * or double-finish a trial. A worker killed mid-transaction leaves the database at the last commit.
 */
import { Distribution, ParamValue } from "../distributions";
import { FrozenTrial, StudyDirection, TrialState, externalParams } from "../trial/frozen";
import { RetryPolicy, retryAttrs } from "./retry";
import { schemaSql, SCHEMA_VERSION } from "./schema";
import { Row, SqlDriver, SqlExec } from "./sql-driver";
import { CreateTrialOptions, Storage, StorageError, StudyRecord } from "./types";

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export class SqlStorage implements Storage {
  private constructor(private readonly db: SqlDriver, readonly description: string) {}

  /** Opens a driver and creates the schema if missing (idempotent, safe with many workers). */
  static async open(db: SqlDriver, description: string): Promise<SqlStorage> {
    await db.transaction(async (tx) => {
      await tx.lockStudy(0); // id 0 = the schema: concurrent first workers must not race CREATE TABLE
      for (const stmt of schemaSql(db.dialect)) await tx.run(stmt);
      const v = await tx.all(`SELECT version FROM hpo_version`);
      if (v.length === 0) await tx.run(`INSERT INTO hpo_version (version) VALUES (?)`, [SCHEMA_VERSION]);
      else if (Number(v[0].version) !== SCHEMA_VERSION) throw new StorageError(`${description}: schema version ${String(v[0].version)}, this code reads ${SCHEMA_VERSION}`);
    });
    return new SqlStorage(db, description);
  }

  private static study(r: Row): StudyRecord {
    return { studyId: Number(r.study_id), name: String(r.name), directions: JSON.parse(String(r.directions)) as StudyDirection[] };
  }

  async createStudy(name: string, directions: StudyDirection[]): Promise<StudyRecord> {
    try {
      const rows = await this.db.all(`INSERT INTO hpo_studies (name, directions, created_ms) VALUES (?, ?, ?) RETURNING study_id, name, directions`, [name, JSON.stringify(directions), Date.now()]);
      return SqlStorage.study(rows[0]);
    } catch (e) {
      if (/unique|duplicate/i.test((e as Error).message)) throw new StorageError(`study "${name}" already exists in ${this.description}`);
      throw e;
    }
  }
  async getStudy(name: string): Promise<StudyRecord | undefined> {
    const rows = await this.db.all(`SELECT study_id, name, directions FROM hpo_studies WHERE name = ?`, [name]);
    return rows.length ? SqlStorage.study(rows[0]) : undefined;
  }
  async listStudies(): Promise<StudyRecord[]> {
    return (await this.db.all(`SELECT study_id, name, directions FROM hpo_studies ORDER BY study_id`)).map(SqlStorage.study);
  }
  async deleteStudy(studyId: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const trials = `SELECT trial_id FROM hpo_trials WHERE study_id = ?`;
      for (const t of ["hpo_trial_params", "hpo_trial_intermediate", "hpo_trial_attrs"]) await tx.run(`DELETE FROM ${t} WHERE trial_id IN (${trials})`, [studyId]);
      await tx.run(`DELETE FROM hpo_trials WHERE study_id = ?`, [studyId]);
      await tx.run(`DELETE FROM hpo_studies WHERE study_id = ?`, [studyId]);
    });
  }

  /** Inserts a trial with the next number; caller holds the study lock. */
  private async insertTrial(tx: SqlExec, studyId: number, state: TrialState): Promise<{ trialId: number; number: number }> {
    const n = await tx.all(`SELECT COUNT(*) AS n FROM hpo_trials WHERE study_id = ?`, [studyId]);
    const number = Number(n[0].n);
    const now = Date.now();
    const rows = await tx.all(`INSERT INTO hpo_trials (study_id, number, state, start_ms, heartbeat_ms) VALUES (?, ?, ?, ?, NULL) RETURNING trial_id`, [studyId, number, state, state === "RUNNING" ? now : null]);
    return { trialId: Number(rows[0].trial_id), number };
  }

  private async enqueueIn(tx: SqlExec, studyId: number, fixed: Record<string, ParamValue>, systemAttrs: Record<string, unknown>): Promise<number> {
    const t = await this.insertTrial(tx, studyId, "WAITING");
    const attrs = { ...systemAttrs, fixed_params: fixed };
    for (const [k, v] of Object.entries(attrs)) await tx.run(`INSERT INTO hpo_trial_attrs (trial_id, kind, key, value_json) VALUES (?, 'system', ?, ?)`, [t.trialId, k, JSON.stringify(v)]);
    return t.number;
  }

  async enqueueTrial(studyId: number, fixed: Record<string, ParamValue>, systemAttrs: Record<string, unknown> = {}): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.lockStudy(studyId);
      return this.enqueueIn(tx, studyId, fixed, systemAttrs);
    });
  }

  async claimOrCreateTrial(studyId: number, opts: CreateTrialOptions = {}): Promise<FrozenTrial | null> {
    const trialId = await this.db.transaction(async (tx) => {
      await tx.lockStudy(studyId);
      const waiting = await tx.all(`SELECT trial_id FROM hpo_trials WHERE study_id = ? AND state = 'WAITING' ORDER BY number LIMIT 1`, [studyId]);
      if (waiting.length) {
        const id = Number(waiting[0].trial_id);
        const changed = await tx.run(`UPDATE hpo_trials SET state = 'RUNNING', start_ms = ? WHERE trial_id = ? AND state = 'WAITING'`, [Date.now(), id]);
        if (changed !== 1) throw new StorageError(`${this.description}: WAITING trial ${id} changed under the study lock`);
        return id;
      }
      if (opts.maxTrials !== undefined) {
        const n = await tx.all(`SELECT COUNT(*) AS n FROM hpo_trials WHERE study_id = ? AND state <> 'FAIL'`, [studyId]);
        if (Number(n[0].n) >= opts.maxTrials) return null;
      }
      return (await this.insertTrial(tx, studyId, "RUNNING")).trialId;
    });
    return trialId === null ? null : this.getTrial(trialId);
  }

  async setParam(trialId: number, name: string, internal: number, distribution: Distribution): Promise<void> {
    await this.db.run(`INSERT INTO hpo_trial_params (trial_id, name, value, distribution) VALUES (?, ?, ?, ?) ON CONFLICT (trial_id, name) DO UPDATE SET value = excluded.value, distribution = excluded.distribution`, [trialId, name, internal, JSON.stringify(distribution)]);
  }
  async setIntermediate(trialId: number, step: number, value: number): Promise<void> {
    await this.db.run(`INSERT INTO hpo_trial_intermediate (trial_id, step, value) VALUES (?, ?, ?) ON CONFLICT (trial_id, step) DO UPDATE SET value = excluded.value`, [trialId, step, Number.isNaN(value) ? null : value]);
  }
  private async setAttr(trialId: number, kind: "user" | "system", key: string, value: unknown): Promise<void> {
    await this.db.run(`INSERT INTO hpo_trial_attrs (trial_id, kind, key, value_json) VALUES (?, ?, ?, ?) ON CONFLICT (trial_id, kind, key) DO UPDATE SET value_json = excluded.value_json`, [trialId, kind, key, JSON.stringify(value ?? null)]);
  }
  setUserAttr(trialId: number, key: string, value: unknown): Promise<void> {
    return this.setAttr(trialId, "user", key, value);
  }
  setSystemAttr(trialId: number, key: string, value: unknown): Promise<void> {
    return this.setAttr(trialId, "system", key, value);
  }
  async finishTrial(trialId: number, state: "COMPLETE" | "PRUNED" | "FAIL", values: number[] | null): Promise<boolean> {
    const n = await this.db.run(`UPDATE hpo_trials SET state = ?, values_json = ?, complete_ms = ? WHERE trial_id = ? AND state = 'RUNNING'`, [state, values ? JSON.stringify(values) : null, Date.now(), trialId]);
    return n === 1;
  }
  async heartbeat(trialId: number): Promise<void> {
    await this.db.run(`UPDATE hpo_trials SET heartbeat_ms = ? WHERE trial_id = ? AND state = 'RUNNING'`, [Date.now(), trialId]);
  }
  async failStaleTrials(studyId: number, graceMs: number, retry?: RetryPolicy): Promise<FrozenTrial[]> {
    const failedIds = await this.db.transaction(async (tx) => {
      await tx.lockStudy(studyId);
      const now = Date.now();
      const stale = await tx.all(`SELECT trial_id FROM hpo_trials WHERE study_id = ? AND state = 'RUNNING' AND heartbeat_ms IS NOT NULL AND heartbeat_ms < ? ORDER BY number`, [studyId, now - graceMs]);
      const ids: number[] = [];
      for (const r of stale) {
        const id = Number(r.trial_id);
        if ((await tx.run(`UPDATE hpo_trials SET state = 'FAIL', complete_ms = ? WHERE trial_id = ? AND state = 'RUNNING'`, [now, id])) !== 1) continue;
        ids.push(id);
        if (!retry) continue;
        const t = (await this.readTrials(tx, `t.trial_id = ?`, [id]))[0];
        const attrs = retryAttrs(t, retry);
        if (attrs) await this.enqueueIn(tx, studyId, externalParams(t), attrs);
      }
      return ids;
    });
    return Promise.all(failedIds.map((id) => this.getTrial(id)));
  }
  async getTrial(trialId: number): Promise<FrozenTrial> {
    const t = await this.db.snapshot((db) => this.readTrials(db, `t.trial_id = ?`, [trialId]));
    if (!t.length) throw new StorageError(`${this.description}: no trial with id ${trialId}`);
    return t[0];
  }
  async getAllTrials(studyId: number, states?: readonly TrialState[]): Promise<FrozenTrial[]> {
    const all = await this.db.snapshot((db) => this.readTrials(db, `t.study_id = ?`, [studyId]));
    return states ? all.filter((t) => states.includes(t.state)) : all;
  }

  /**
   * Trials matching `where` (over alias t) with their params, intermediate values and attrs. Four
   * statements: `db` must be one snapshot (or the write transaction), or a trial inserted by another
   * worker between them shows up in the attrs but not in the rows (the old multi-worker crash
   * "Cannot read properties of undefined (reading 'userAttrs')").
   */
  private async readTrials(db: SqlExec, where: string, args: (string | number)[]): Promise<FrozenTrial[]> {
    const rows = await db.all(`SELECT * FROM hpo_trials t WHERE ${where} ORDER BY t.number`, args);
    const byId = new Map<number, FrozenTrial>();
    const out = rows.map((r) => {
      const t: FrozenTrial = {
        trialId: Number(r.trial_id), number: Number(r.number), state: r.state as TrialState,
        values: r.values_json ? (JSON.parse(String(r.values_json)) as number[]) : null,
        params: {}, distributions: {}, intermediate: new Map(), userAttrs: {}, systemAttrs: {},
        start: num(r.start_ms), complete: num(r.complete_ms), heartbeat: num(r.heartbeat_ms),
      };
      byId.set(t.trialId, t);
      return t;
    });
    if (!out.length) return out;
    const sub = `SELECT t.trial_id FROM hpo_trials t WHERE ${where}`;
    for (const p of await db.all(`SELECT trial_id, name, value, distribution FROM hpo_trial_params WHERE trial_id IN (${sub})`, args)) {
      const t = byId.get(Number(p.trial_id))!;
      t.params[String(p.name)] = Number(p.value);
      t.distributions[String(p.name)] = JSON.parse(String(p.distribution)) as Distribution;
    }
    for (const v of await db.all(`SELECT trial_id, step, value FROM hpo_trial_intermediate WHERE trial_id IN (${sub}) ORDER BY step`, args)) {
      byId.get(Number(v.trial_id))!.intermediate.set(Number(v.step), v.value === null ? NaN : Number(v.value));
    }
    for (const a of await db.all(`SELECT trial_id, kind, key, value_json FROM hpo_trial_attrs WHERE trial_id IN (${sub})`, args)) {
      const t = byId.get(Number(a.trial_id))!;
      (a.kind === "user" ? t.userAttrs : t.systemAttrs)[String(a.key)] = JSON.parse(String(a.value_json));
    }
    return out;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
