/**
 * PostgreSQL driver (`pg` Pool) for SqlStorage. Transactions take a transaction-scoped advisory
 * lock per study, so trial-number allocation is serialised across every worker on the cluster
 * without a coordinator; the lock goes away with the transaction, also when a worker dies.
 */
import { Pool, PoolConfig } from "pg";
import { SqlDriver, SqlExec, SqlValue, Row } from "./sql-driver";

/** `?` placeholders → `$1, $2, …` (our SQL has no `?` inside string literals). */
export function toPgPlaceholders(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

// An arbitrary namespace for our advisory locks (the two-int form keeps it apart from others').
const LOCK_NAMESPACE = 0x5d1;

export function postgresDriver(config: PoolConfig): SqlDriver {
  const pool = new Pool({ max: 4, ...config });
  // An idle client's error (server restart) must not crash the worker; the next query reports it.
  pool.on("error", () => undefined);
  const on = (q: { query: Pool["query"] }): SqlExec => ({
    all: async (sql: string, params: SqlValue[] = []) => (await q.query(toPgPlaceholders(sql), params)).rows as Row[],
    run: async (sql: string, params: SqlValue[] = []) => (await q.query(toPgPlaceholders(sql), params)).rowCount ?? 0,
  });
  // One pooled client for one transaction: BEGIN (the given kind), fn, COMMIT — ROLLBACK on error.
  async function inTransaction<T>(begin: string, fn: (client: { query: Pool["query"] }) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query(begin);
      const out = await fn(client as unknown as { query: Pool["query"] });
      await client.query("COMMIT");
      return out;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }
  return {
    dialect: "postgres",
    ...on(pool),
    transaction: (fn) =>
      inTransaction("BEGIN", (client) =>
        fn({ ...on(client), lockStudy: async (studyId: number) => void (await client.query("SELECT pg_advisory_xact_lock($1, $2)", [LOCK_NAMESPACE, studyId])) }),
      ),
    snapshot: (fn) => inTransaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", (client) => fn(on(client))),
    close: () => pool.end(),
  };
}
