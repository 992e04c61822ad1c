/**
 * Kill-and-resume as a real process: a training run is SIGKILLed after its first last/ was
 * written, started again in the same folder, resumes from last/ and ends with the same weight
 * bytes and history as a run that was never killed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runKillable } from "./kill-child";
import { readCheckpoint } from "../../src/lib/train/checkpoint";
import { TrainerMeta } from "../../src/lib/train/trainer-meta";

const CHILD = path.join(__dirname, "..", "train", "fixtures", "train-child.ts");

/** Runs the child; with `killWhen`, SIGKILLs it as soon as killWhen() holds (polled every 5 ms). */
function runChild(dir: string, pauseMs: number, killWhen?: () => boolean): Promise<{ out: string; killed: boolean }> {
  return runKillable(CHILD, [dir, String(pauseMs)], {}, killWhen).then(({ code, signal, stdout, stderr }) => {
    if (signal === "SIGKILL") return { out: stdout, killed: true };
    if (code === 0) return { out: stdout, killed: false };
    throw new Error(`child exited with ${code}: ${stderr}`);
  });
}

test("SIGKILL after the first last/, then a restart in the same folder: same weights and history as an unkilled run", { timeout: 180_000 }, async () => {
  const straight = fs.mkdtempSync(path.join(os.tmpdir(), "steel-kr-"));
  const a = await runChild(straight, 0);
  assert.match(a.out, /^fresh: /);
  assert.match(a.out, /done/);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "steel-kr-"));
  const lastMeta = path.join(dir, "last", "checkpoint.json");
  const b = await runChild(dir, 400, () => fs.existsSync(lastMeta));
  assert.ok(b.killed && !fs.existsSync(path.join(dir, "done")), "killed before the end");
  const after = readCheckpoint<TrainerMeta>(path.join(dir, "last")).file.meta.epoch;
  assert.ok(after < 4, `killed after epoch ${after + 1}`);
  const c = await runChild(dir, 0);
  assert.match(c.out, new RegExp(`^resume: resuming .* after epoch ${after + 1} of 5`));
  assert.ok(fs.readFileSync(path.join(dir, "final.bin")).equals(fs.readFileSync(path.join(straight, "final.bin"))), "final weights differ");
  assert.equal(fs.readFileSync(path.join(dir, "history.json"), "utf8"), fs.readFileSync(path.join(straight, "history.json"), "utf8"));
  assert.equal(fs.readFileSync(path.join(dir, "history.csv"), "utf8"), fs.readFileSync(path.join(straight, "history.csv"), "utf8"));
});
