import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { floatDistribution, categoricalDistribution } from "../../src/lib/hpo/distributions";
import { openStorage, redactUrl, sqlitePathOf } from "../../src/lib/hpo/storage/url";
import { Storage } from "../../src/lib/hpo/storage/types";
import { createStudy } from "../../src/lib/hpo/study/study";
import { RandomSampler } from "../../src/lib/hpo/samplers/random";
import { pgUrl, requirePg, uniqueName } from "./helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hpo-storage-"));
const pg = pgUrl();

/** The same behaviour from every Storage. */
async function conformance(storage: Storage): Promise<void> {
  const name = uniqueName("conf");
  const s = await storage.createStudy(name, ["minimize"]);
  try {
    await assert.rejects(storage.createStudy(name, ["minimize"]), /already exists/);
    assert.equal((await storage.getStudy(name))!.studyId, s.studyId);
    assert.equal(await storage.getStudy(uniqueName("none")), undefined);

    // Enqueued trials are claimed first, in order; new ones get the next numbers.
    assert.equal(await storage.enqueueTrial(s.studyId, { x: 0.5 }), 0);
    const t0 = (await storage.claimOrCreateTrial(s.studyId))!;
    assert.deepEqual([t0.number, t0.state, t0.systemAttrs.fixed_params], [0, "RUNNING", { x: 0.5 }]);
    const t1 = (await storage.claimOrCreateTrial(s.studyId))!;
    assert.equal(t1.number, 1);

    const d = floatDistribution(0, 1);
    await storage.setParam(t1.trialId, "x", 0.25, d);
    await storage.setParam(t1.trialId, "c", 1, categoricalDistribution(["a", "b"]));
    await storage.setIntermediate(t1.trialId, 0, 3.5);
    await storage.setIntermediate(t1.trialId, 1, NaN);
    await storage.setUserAttr(t1.trialId, "note", { k: [1, 2] });
    assert.equal(await storage.finishTrial(t1.trialId, "COMPLETE", [1.5]), true);
    assert.equal(await storage.finishTrial(t1.trialId, "FAIL", null), false, "a finished trial cannot change state");
    const back = await storage.getTrial(t1.trialId);
    assert.equal(back.state, "COMPLETE");
    assert.deepEqual(back.values, [1.5]);
    assert.deepEqual(back.params, { x: 0.25, c: 1 });
    assert.deepEqual(back.distributions.x, d);
    assert.equal(back.intermediate.get(0), 3.5);
    assert.ok(Number.isNaN(back.intermediate.get(1)!), "NaN reports survive storage");
    assert.deepEqual(back.userAttrs, { note: { k: [1, 2] } });

    // Study-wide cap counts non-FAIL trials (t0 RUNNING + t1 COMPLETE).
    assert.equal(await storage.claimOrCreateTrial(s.studyId, { maxTrials: 2 }), null);

    // A RUNNING trial with a stale heartbeat is failed once, and re-queued with its parameters.
    await storage.setParam(t0.trialId, "x", 0.5, d);
    await storage.heartbeat(t0.trialId);
    await new Promise((r) => setTimeout(r, 30));
    const failed = await storage.failStaleTrials(s.studyId, 10, { maxRetry: 1 });
    assert.deepEqual(failed.map((t) => [t.number, t.state]), [[0, "FAIL"]]);
    assert.deepEqual(await storage.failStaleTrials(s.studyId, 10, { maxRetry: 1 }), [], "only one worker wins");
    const retry = (await storage.claimOrCreateTrial(s.studyId))!;
    assert.equal(retry.number, 2);
    assert.deepEqual(retry.systemAttrs.fixed_params, { x: 0.5 });
    assert.deepEqual(retry.systemAttrs.retry_history, [0]);
    assert.equal(await storage.finishTrial(t0.trialId, "COMPLETE", [0]), false, "the dead worker's late tell is refused");

    const all = await storage.getAllTrials(s.studyId);
    assert.deepEqual(all.map((t) => t.number), [0, 1, 2]);
    assert.deepEqual((await storage.getAllTrials(s.studyId, ["COMPLETE"])).map((t) => t.number), [1]);
  } finally {
    await storage.deleteStudy(s.studyId);
  }
  assert.equal(await storage.getStudy(name), undefined);
}

test("storage conformance: in-memory", async () => {
  await conformance(await openStorage("memory"));
});

test("storage conformance: SQLite (WAL file)", async () => {
  const storage = await openStorage(`sqlite:///${path.join(tmp, "conf.db")}`);
  await conformance(storage);
  await storage.close();
});

test("storage conformance: PostgreSQL", { skip: pg.skip }, async () => {
  const storage = await openStorage(requirePg(pg.url));
  await conformance(storage);
  await storage.close();
});

test("a SQLite study survives closing the process's handle and resumes with the next number", async () => {
  const url = `sqlite:///${path.join(tmp, "resume.db")}`;
  const a = await createStudy({ name: "resume", storage: url, sampler: new RandomSampler(1) });
  await a.optimize((t) => t.suggestFloat("x", 0, 1), { nTrials: 3, progress: false });
  await a.storage.close();
  await assert.rejects(createStudy({ name: "resume", storage: url }), /already exists.*loadIfExists/);
  const b = await createStudy({ name: "resume", storage: url, loadIfExists: true, sampler: new RandomSampler(1) });
  await b.optimize((t) => t.suggestFloat("x", 0, 1), { nTrials: 2, progress: false });
  assert.deepEqual((await b.getTrials()).map((t) => [t.number, t.state]), [0, 1, 2, 3, 4].map((n) => [n, "COMPLETE"]));
  await b.storage.close();
});

test("URLs: passwords are redacted; sqlite paths resolve against the repository root", () => {
  assert.equal(redactUrl("postgresql://hpo:s3cr%40t@db.example:5432/steel"), "postgresql://hpo:***@db.example:5432/steel");
  assert.equal(redactUrl("postgresql://hpo@db/steel?password=abc&sslmode=require"), "postgresql://hpo@db/steel?password=***&sslmode=require");
  assert.equal(redactUrl("sqlite:///outputs/hpo/a.db"), "sqlite:///outputs/hpo/a.db");
  assert.equal(sqlitePathOf("sqlite:///outputs/hpo/a.db", "/repo"), path.join("/repo", "outputs/hpo/a.db"));
  assert.equal(sqlitePathOf("sqlite:////abs/a.db", "/repo"), "/abs/a.db");
});

test("a wrong PostgreSQL password fails with a redacted, one-line error", { skip: pg.skip }, async () => {
  const url = new URL(requirePg(pg.url));
  url.password = "definitely-wrong-pw-123";
  await assert.rejects(openStorage(url.toString()), (e: Error) => {
    assert.match(e.message, /cannot open postgresql:\/\/steel_test:\*\*\*@/);
    assert.ok(!e.message.includes("definitely-wrong-pw-123"), e.message);
    return true;
  });
});
