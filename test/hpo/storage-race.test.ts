/**
 * The multi-worker read race, made deterministic: another worker inserts a trial (with a user
 * attr) between the statements that read a study's trials. Reading on one snapshot must give a
 * consistent list; the old code read the attrs of a trial it had not read and crashed with
 * "Cannot read properties of undefined (reading 'userAttrs')".
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SqlStorage } from "../../src/lib/hpo/storage/sql-storage";
import { sqliteDriver } from "../../src/lib/hpo/storage/sqlite";
import { SqlDriver, SqlExec } from "../../src/lib/hpo/storage/sql-driver";

/** A driver that runs `between` once, right after the first read of hpo_trials rows. */
type Interleaving = SqlDriver & { arm(): void; fired(): boolean };

function interleaving(inner: SqlDriver, between: () => Promise<void>): Interleaving {
  let armed = false;
  let fired = false;
  const wrap = (e: SqlExec): SqlExec => ({
    run: (sql, p) => e.run(sql, p),
    all: async (sql, p) => {
      const rows = await e.all(sql, p);
      if (armed && !fired && /^SELECT \* FROM hpo_trials t/.test(sql)) {
        fired = true;
        await between();
      }
      return rows;
    },
  });
  return {
    dialect: inner.dialect,
    ...wrap(inner),
    transaction: (fn) => inner.transaction((tx) => fn({ ...wrap(tx), lockStudy: tx.lockStudy })),
    snapshot: (fn) => inner.snapshot((db) => fn(wrap(db))),
    close: () => inner.close(),
    // armed after set-up, so only the read under test is interleaved
    arm: () => void (armed = true),
    fired: () => fired,
  };
}

test("SQLite: a trial inserted by another worker between the read statements does not break the read", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hpo-race-"));
  const file = path.join(dir, "s.db");
  try {
    const other = await SqlStorage.open(sqliteDriver(file), "other worker");
    const study = await other.createStudy("race", ["minimize"]);
    const first = (await other.claimOrCreateTrial(study.studyId))!;
    await other.setUserAttr(first.trialId, "k", 1);
    const driver = interleaving(sqliteDriver(file), async () => {
      const t = (await other.claimOrCreateTrial(study.studyId))!;
      await other.setUserAttr(t.trialId, "k", 2);
      await other.setParam(t.trialId, "x", 0.5, { kind: "float", low: 0, high: 1, log: false, step: null });
    });
    const me = await SqlStorage.open(driver, "this worker");
    driver.arm();
    const seen = await me.getAllTrials(study.studyId);
    assert.ok(driver.fired(), "the other worker's insert ran between the statements");
    assert.deepEqual(seen.map((t) => [t.number, t.userAttrs.k]), [[0, 1]], "the read is the snapshot before the insert");
    const after = await me.getAllTrials(study.studyId);
    assert.deepEqual(after.map((t) => [t.number, t.userAttrs.k, t.params.x]), [[0, 1, undefined], [1, 2, 0.5]], "the next read sees it whole");
    await me.close();
    await other.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
