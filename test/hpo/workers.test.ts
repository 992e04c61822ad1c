/**
 * Multi-worker reliability with real processes and real servers: 3 `hpo` worker processes on one
 * SQLite study and on one PostgreSQL study finish every trial exactly once with consecutive numbers;
 * a worker killed with SIGKILL mid-trial leaves that trial FAIL after the grace period, its retry
 * (same parameters) runs, and the study completes. The kill happens only after the worker says
 * the trial's parameters are stored; the retrying worker starts only once the dead trial's last
 * heartbeat is older than the grace period (read from the storage, not guessed).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ChildProcess, spawn } from "child_process";
import { openStorage } from "../../src/lib/hpo/storage/url";
import { FrozenTrial } from "../../src/lib/hpo/trial/frozen";
import { pgUrl, requirePg, uniqueName } from "./helpers";

const ROOT = path.resolve(__dirname, "../..");
const pg = pgUrl();

interface Worker {
  child: ChildProcess;
  out: string[];
  err: string[];
  exit: Promise<number | null>;
}

/** Starts `hpo` as its own process; stdout lines are collected as they come. */
function startWorker(args: string[], env: NodeJS.ProcessEnv = {}): Worker {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/hpo.ts", ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const w: Worker = { child, out: [], err: [], exit: new Promise((resolve) => child.on("exit", (code) => resolve(code))) };
  let buf = "";
  child.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split("\n");
    buf = lines.pop()!;
    w.out.push(...lines);
  });
  child.stderr!.on("data", (d: Buffer) => w.err.push(d.toString()));
  return w;
}

function waitForLine(w: Worker, re: RegExp, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const poll = setInterval(() => {
      const hit = w.out.find((l) => re.test(l));
      if (hit) {
        clearInterval(poll);
        resolve(hit);
      } else if (w.child.exitCode !== null || Date.now() - t0 > timeoutMs) {
        clearInterval(poll);
        reject(new Error(`worker never printed ${re} (exit ${w.child.exitCode}); stdout: ${w.out.join(" | ")}; stderr: ${w.err.join("")}`));
      }
    }, 50);
  });
}

async function trialsOf(url: string, study: string, env: NodeJS.ProcessEnv = {}): Promise<FrozenTrial[]> {
  const storage = await openStorage(url, { ...process.env, ...env });
  try {
    const rec = await storage.getStudy(study);
    assert.ok(rec, `study ${study} exists`);
    return await storage.getAllTrials(rec.studyId);
  } finally {
    await storage.close();
  }
}

const common = (study: string, url: string) => ["--study", study, "--storage", url, "--objective", "quadratic", "--sampler", "tpe", "--seed", "7"];

async function threeWorkers(url: string, study: string, perWorker: number, env: NodeJS.ProcessEnv = {}) {
  const workers = [0, 1, 2].map(() => startWorker([...common(study, url), "--n-trials", String(perWorker)], env));
  const codes = await Promise.all(workers.map((w) => w.exit));
  codes.forEach((c, i) => assert.equal(c, 0, `worker ${i} exit ${c}: ${workers[i].err.join("")}`));
  const trials = await trialsOf(url, study, env);
  const total = 3 * perWorker;
  assert.equal(trials.length, total, "no trial lost or duplicated");
  assert.deepEqual(trials.map((t) => t.number).sort((a, b) => a - b), Array.from({ length: total }, (_, i) => i), "consecutive numbers 0…N-1");
  assert.equal(new Set(trials.map((t) => t.trialId)).size, total, "distinct trial ids");
  assert.ok(trials.every((t) => t.state === "COMPLETE"), `all COMPLETE: ${trials.map((t) => t.state).join(",")}`);
  for (const t of trials) {
    const [x, y] = [t.params.x0, t.params.x1];
    assert.ok(Math.abs(t.values![0] - ((x - 3.2) ** 2 + (y + 1.7) ** 2)) < 1e-9, `trial ${t.number}: the stored value is f(stored params)`);
  }
  // Each worker ran exactly perWorker trials: the started lines add up to the total, none twice.
  const started = workers.flatMap((w) => w.out.filter((l) => /^trial \d+ started$/.test(l)).map((l) => Number(l.split(" ")[1])));
  assert.equal(started.length, total);
  assert.equal(new Set(started).size, total, "no trial number handed to two workers");
  return workers;
}

async function killMidTrial(url: string, study: string, env: NodeJS.ProcessEnv = {}) {
  const hb = ["--heartbeat", "0.2", "--grace", "1"];
  const a = startWorker([...common(study, url), ...hb, "--n-trials", "1", "--trial-delay-ms", "600000"], env);
  await waitForLine(a, /^trial 0 holding/);
  a.child.kill("SIGKILL");
  assert.equal(await a.exit, null, "killed by a signal");
  const before = (await trialsOf(url, study, env))[0];
  assert.equal(before.state, "RUNNING", "the dead worker's trial is still RUNNING");
  assert.ok(before.heartbeat !== null && "x0" in before.params, "it has a heartbeat and stored parameters");
  // Wait until its last heartbeat is past the grace period (1 s), measured from the stored value.
  const wait = before.heartbeat! + 1000 + 200 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const b = startWorker([...common(study, url), ...hb, "--max-trials", "3", "--retry-failed", "1"], env);
  assert.equal(await b.exit, 0, b.err.join(""));
  const trials = await trialsOf(url, study, env);
  assert.deepEqual(trials.map((t) => t.number), [0, 1, 2, 3]);
  assert.deepEqual(trials.map((t) => t.state), ["FAIL", "COMPLETE", "COMPLETE", "COMPLETE"], "trial 0 FAIL, its retry and the rest COMPLETE: the study completes");
  assert.equal(trials[1].systemAttrs.failed_trial, 0, "trial 1 is the retry of trial 0");
  assert.equal(trials[1].params.x0, before.params.x0);
  assert.equal(trials[1].params.x1, before.params.x1);
}

test("3 worker processes on one SQLite study: every trial once, consecutive numbers", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hpo-workers-"));
  try {
    await threeWorkers(`sqlite:///${path.join(dir, "study.db")}`, "w3", 8);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("SQLite: a worker killed with SIGKILL mid-trial → FAIL after the grace period, re-queued, the study completes", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hpo-kill-"));
  try {
    await killMidTrial(`sqlite:///${path.join(dir, "study.db")}`, "kill");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** The URL without its password (workers read it from PGPASSWORD, as docs/hpo.md recommends). */
function pgWithoutPassword(url: string): { url: string; password: string } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = "";
  return { url: u.toString(), password };
}

test("3 worker processes on one PostgreSQL study: every trial once, consecutive numbers, no password in any output", { skip: pg.skip }, async () => {
  const { url, password } = pgWithoutPassword(requirePg(pg.url));
  const workers = await threeWorkers(url, uniqueName("w3"), 8, { PGPASSWORD: password });
  for (const w of workers) assert.ok(!w.out.join("\n").includes(password) && !w.err.join("").includes(password), "password never printed");
});

test("PostgreSQL: a worker killed with SIGKILL mid-trial → FAIL after the grace period, re-queued, the study completes", { skip: pg.skip }, async () => {
  const { url, password } = pgWithoutPassword(requirePg(pg.url));
  await killMidTrial(url, uniqueName("kill"), { PGPASSWORD: password });
});
