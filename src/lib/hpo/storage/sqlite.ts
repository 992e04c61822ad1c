/**
 * SQLite driver (better-sqlite3, synchronous) for SqlStorage: WAL so readers never block the
 * writer, a busy timeout so concurrent worker processes wait instead of failing, and BEGIN
 * IMMEDIATE so a transaction takes the write lock before it reads the trial count.
 * The async facade is serialised by a promise queue: a transaction's awaits must not let another
 * caller of the same connection (e.g. the heartbeat timer) slip statements into it.
 */
import * as fs from "fs";
import * as path from "path";
import Database from "better-sqlite3";
import { SqlDriver, SqlExec, SqlValue, Row } from "./sql-driver";

export interface SqliteOptions {
  /** Milliseconds to wait for another process's write lock (default 60 s). */
  busyTimeoutMs?: number;
}

export function sqliteDriver(file: string, opts: SqliteOptions = {}): SqlDriver {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { timeout: opts.busyTimeoutMs ?? 60_000 });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  const statements = new Map<string, Database.Statement>();
  const prepared = (sql: string) => {
    let s = statements.get(sql);
    if (!s) statements.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const exec: SqlExec = {
    all: async (sql: string, params: SqlValue[] = []) => (prepared(sql).reader ? (prepared(sql).all(...params) as Row[]) : (prepared(sql).run(...params), [])),
    run: async (sql: string, params: SqlValue[] = []) => {
      const s = prepared(sql);
      if (s.reader) {
        s.all(...params);
        return 0;
      }
      return s.run(...params).changes;
    },
  };
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn, fn);
    queue = p.catch(() => undefined);
    return p;
  };
  return {
    dialect: "sqlite",
    all: (sql, params) => serial(() => exec.all(sql, params)),
    run: (sql, params) => serial(() => exec.run(sql, params)),
    transaction: (fn) =>
      serial(async () => {
        db.exec("BEGIN IMMEDIATE");
        try {
          const out = await fn({ ...exec, lockStudy: async () => undefined });
          db.exec("COMMIT");
          return out;
        } catch (e) {
          if (db.inTransaction) db.exec("ROLLBACK");
          throw e;
        }
      }),
    snapshot: (fn) =>
      serial(async () => {
        db.exec("BEGIN DEFERRED");
        try {
          const out = await fn(exec);
          db.exec("COMMIT");
          return out;
        } catch (e) {
          if (db.inTransaction) db.exec("ROLLBACK");
          throw e;
        }
      }),
    close: () => serial(async () => void db.close()),
  };
}
