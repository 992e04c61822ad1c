/** What SqlStorage needs from a database client; SQL is written with `?` placeholders. */
export type SqlValue = string | number | null;
export type Row = Record<string, unknown>;

export interface SqlExec {
  all(sql: string, params?: SqlValue[]): Promise<Row[]>;
  /** Returns the number of rows changed. */
  run(sql: string, params?: SqlValue[]): Promise<number>;
}

export interface SqlDriver extends SqlExec {
  readonly dialect: "sqlite" | "postgres";
  /**
   * Runs fn in one write transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN + the study row
   * locked FOR UPDATE by `lockStudy`), committing on success and rolling back on error.
   */
  transaction<T>(fn: (tx: SqlExec & { lockStudy(studyId: number): Promise<void> }) => Promise<T>): Promise<T>;
  /**
   * Runs fn's reads on one snapshot (SQLite: a deferred transaction under WAL; PostgreSQL:
   * REPEATABLE READ READ ONLY). A trial read in several statements (row, params, attrs) must not
   * see a trial another worker inserted between them.
   */
  snapshot<T>(fn: (db: SqlExec) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
