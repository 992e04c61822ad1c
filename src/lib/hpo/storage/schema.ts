/**
 * The one SQL schema shared by SQLite and PostgreSQL (Optuna's RDB layout, trimmed). Only the
 * auto-increment key differs between the two dialects. Times are client milliseconds (BIGINT).
 * An intermediate value of NULL stands for NaN (SQLite cannot store NaN).
 */
export type Dialect = "sqlite" | "postgres";

export const SCHEMA_VERSION = 1;

export function schemaSql(dialect: Dialect): string[] {
  const pk = dialect === "sqlite" ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "SERIAL PRIMARY KEY";
  return [
    `CREATE TABLE IF NOT EXISTS hpo_version (version INTEGER NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS hpo_studies (study_id ${pk}, name TEXT NOT NULL UNIQUE, directions TEXT NOT NULL, created_ms BIGINT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS hpo_trials (
       trial_id ${pk},
       study_id INTEGER NOT NULL REFERENCES hpo_studies(study_id) ON DELETE CASCADE,
       number INTEGER NOT NULL,
       state TEXT NOT NULL CHECK (state IN ('RUNNING','COMPLETE','PRUNED','FAIL','WAITING')),
       values_json TEXT,
       start_ms BIGINT, complete_ms BIGINT, heartbeat_ms BIGINT,
       UNIQUE (study_id, number))`,
    `CREATE INDEX IF NOT EXISTS hpo_trials_state ON hpo_trials (study_id, state)`,
    `CREATE TABLE IF NOT EXISTS hpo_trial_params (
       trial_id INTEGER NOT NULL REFERENCES hpo_trials(trial_id) ON DELETE CASCADE,
       name TEXT NOT NULL, value DOUBLE PRECISION NOT NULL, distribution TEXT NOT NULL,
       PRIMARY KEY (trial_id, name))`,
    `CREATE TABLE IF NOT EXISTS hpo_trial_intermediate (
       trial_id INTEGER NOT NULL REFERENCES hpo_trials(trial_id) ON DELETE CASCADE,
       step INTEGER NOT NULL, value DOUBLE PRECISION,
       PRIMARY KEY (trial_id, step))`,
    `CREATE TABLE IF NOT EXISTS hpo_trial_attrs (
       trial_id INTEGER NOT NULL REFERENCES hpo_trials(trial_id) ON DELETE CASCADE,
       kind TEXT NOT NULL CHECK (kind IN ('user','system')), key TEXT NOT NULL, value_json TEXT NOT NULL,
       PRIMARY KEY (trial_id, kind, key))`,
  ];
}
