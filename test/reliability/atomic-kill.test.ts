/**
 * Atomicity under SIGKILL: a child process writes a checkpoint and a metrics JSON in a loop; it is
 * killed at several moments. After each kill the files are one complete version (every weight
 * equals the version number in the metadata), no older than the last version the child reported
 * done, and loadable. Each restart of the writer also removes the dead one's temp folders.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { loadModel, readCheckpoint } from "../../src/lib/train/checkpoint";

before(async () => {
  await tf.setBackend("cpu");
});

const CHILD = path.join(__dirname, "..", "train", "fixtures", "atomic-writer-child.ts");

/** Runs the writer from version `start`; kills it `delayMs` after its `afterSaves`-th report (or lets `count` versions finish). */
function runWriter(dir: string, start: number, o: { afterSaves?: number; delayMs?: number; count?: number }): Promise<{ lastDone: number; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const args = ["--import", "tsx", CHILD, dir, String(start), ...(o.count !== undefined ? [String(o.count)] : [])];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let lastDone = start - 1;
    let saves = 0;
    let buf = "";
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.stdout.on("data", (d) => {
      buf += d;
      const lines = buf.split("\n");
      buf = lines.pop() ?? "";
      for (const l of lines) {
        const m = /^saved (\d+)$/.exec(l);
        if (!m) continue;
        lastDone = Number(m[1]);
        saves++;
        if (o.afterSaves !== undefined && saves === o.afterSaves) setTimeout(() => child.kill("SIGKILL"), o.delayMs ?? 0);
      }
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve({ lastDone, killed: true });
      else if (code === 0) resolve({ lastDone, killed: false });
      else reject(new Error(`writer exited with ${code}: ${err}`));
    });
  });
}

function checkIntact(dir: string, atLeast: number): number {
  const c = readCheckpoint<{ n: number }>(path.join(dir, "ckpt"));
  const n = c.file.meta.n;
  assert.ok(n >= atLeast, `checkpoint holds version ${n}, older than ${atLeast} which the child reported done`);
  const w = new Float32Array(c.weightData);
  assert.ok(w.every((v) => v === n), `weights.bin is not version ${n} throughout (a mix of versions)`);
  const metrics = JSON.parse(fs.readFileSync(path.join(dir, "metrics.json"), "utf8"));
  assert.ok(metrics.n >= atLeast && metrics.payload.length === 20000, `metrics.json version ${metrics.n}`);
  return n;
}

test("SIGKILL at several moments never leaves a damaged checkpoint or metrics JSON", { timeout: 180_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "steel-kill-"));
  let next = 1;
  // Kill at several moments: right after a report, and a few ms into later writes.
  for (const [afterSaves, delayMs] of [[1, 0], [2, 3], [3, 7], [2, 13], [4, 1], [1, 21]]) {
    const r = await runWriter(dir, next, { afterSaves, delayMs });
    assert.ok(r.killed, "the writer was killed");
    const n = checkIntact(dir, r.lastDone);
    next = n + 1;
  }
  const model = await loadModel(path.join(dir, "ckpt"));
  assert.equal(model.getWeights()[0].dataSync()[0], next - 1);
  model.dispose();
  // A clean run on the same folder: ends with exactly the two targets, every dead temp removed.
  const r = await runWriter(dir, next, { count: 2 });
  assert.equal(checkIntact(dir, r.lastDone), next + 1);
  assert.deepEqual(fs.readdirSync(dir).sort(), ["ckpt", "metrics.json"]);
});
