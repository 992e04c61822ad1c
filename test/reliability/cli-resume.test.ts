/**
 * Kill-and-resume through the real `train` command: a run on a small generated NEU folder is
 * SIGKILLed as soon as its first last/ checkpoint is complete (polled: last/checkpoint.json
 * appears only when the whole folder has been renamed into place), the same command is run again,
 * says it resumes, and ends with the same bytes as a run that was never killed: the run folder's
 * metrics.json, history.csv/json, every file of best/ and last/, and the run record under
 * outputs/metrics/. wasm backend: the project default, and fast enough (cpu takes ~20 s a batch here).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runKillable, ChildOutcome } from "./kill-child";
import sharp from "sharp";
import { projectPaths } from "../../src/lib/config/paths";
import { NEU_CLASSES } from "../../src/lib/data/neu";

const root = projectPaths().root;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "steel-cli-resume-"));
const data = path.join(tmp, "neu");
const EPOCHS = 4;

/** 8 images per class, 24×24 grey JPEG with a class-dependent stripe and per-image texture. */
async function writeImages(dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  for (const [c, name] of NEU_CLASSES.entries()) {
    for (let n = 1; n <= 8; n++) {
      const px = Buffer.alloc(24 * 24);
      for (let i = 0; i < px.length; i++) px[i] = i % 24 === c * 3 || Math.floor(i / 24) === c * 3 ? 220 : 30 + ((i * (n + 5)) % 50);
      await sharp(px, { raw: { width: 24, height: 24, channels: 1 } }).jpeg({ quality: 95 }).toFile(path.join(dir, `${name}_${n}.jpg`));
    }
  }
}

type Outcome = ChildOutcome;

/** `train` on `data` into <tmp>/<name>; with `killWhen`, SIGKILLed as soon as it holds (polled every 5 ms). */
function train(name: string, killWhen?: () => boolean): Promise<Outcome> {
  const args = ["--model", "simplecnn", "--dataset", "neu", "--data-root", data, "--out", path.join(tmp, name, "run")];
  args.push("--epochs", String(EPOCHS), "--image-size", "24x24", "--batch-size", "8", "--seed", "7", "--profile", "smoke");
  const env = { ...process.env, STEEL_BACKEND: "wasm", STEEL_OUTPUTS: path.join(tmp, name, "outputs") };
  return runKillable(path.join(root, "src/cli/train.ts"), args, { cwd: root, env }, killWhen);
}

/** Every file under `dir`, relative paths sorted. */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

function assertSameBytes(a: string, b: string, what: string): void {
  assert.ok(fs.existsSync(a), `${what}: ${a} missing`);
  assert.ok(fs.existsSync(b), `${what}: ${b} missing`);
  assert.ok(fs.readFileSync(a).equals(fs.readFileSync(b)), `${what} differs between the uninterrupted run and the killed+resumed one`);
}

test("train killed with SIGKILL after its first last/ and rerun: same metrics JSON, history and weights as an uninterrupted run", { timeout: 600_000 }, async () => {
  await writeImages(data);

  const straight = await train("straight");
  assert.equal(straight.code, 0, straight.stderr);
  assert.match(straight.stdout, /test accuracy/);
  assert.doesNotMatch(straight.stdout, /resuming/);

  const runDir = path.join(tmp, "killed", "run");
  const lastMeta = path.join(runDir, "last", "checkpoint.json");
  const killed = await train("killed", () => fs.existsSync(lastMeta));
  assert.equal(killed.signal, "SIGKILL", `the run finished before it could be killed:\n${killed.stdout}`);
  assert.ok(!fs.existsSync(path.join(runDir, "metrics.json")), "killed before the end");
  const after = JSON.parse(fs.readFileSync(lastMeta, "utf8")).meta.epoch + 1;
  assert.ok(after >= 1 && after < EPOCHS, `killed after epoch ${after}`);

  const resumed = await train("killed");
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, new RegExp(`resuming .*run from .*last after epoch ${after} of ${EPOCHS}`));
  // A rerun starts no epoch it has already done: the first progress label is the next epoch.
  assert.doesNotMatch(resumed.stderr + resumed.stdout, new RegExp(`epoch ${after}/${EPOCHS}`));

  const a = path.join(tmp, "straight", "run");
  for (const f of ["metrics.json", "history.csv", "history.json"]) assertSameBytes(path.join(a, f), path.join(runDir, f), f);
  for (const sub of ["best", "last"]) {
    const files = filesUnder(path.join(a, sub));
    assert.deepEqual(filesUnder(path.join(runDir, sub)), files, `${sub}/ holds other files`);
    assert.ok(files.includes("weights.bin") && files.includes("optimizer.bin"), `${sub}/: ${files.join(", ")}`);
    for (const f of files) assertSameBytes(path.join(a, sub, f), path.join(runDir, sub, f), `${sub}/${f}`);
  }
  const record = (name: string) => path.join(tmp, name, "outputs", "metrics", "train_simplecnn.json");
  assertSameBytes(record("straight"), record("killed"), "the run record");
  // The history CSV has the fixed column order (historyLogger's HISTORY_COLUMN_ORDER).
  const header = fs.readFileSync(path.join(runDir, "history.csv"), "utf8").split("\n")[0];
  assert.equal(header, "epoch,lr,loss,accuracy,macroF1,val_loss,val_accuracy,val_macroF1");
  // No temp folders of interrupted atomic writes are left behind.
  assert.deepEqual(fs.readdirSync(runDir).filter((f) => /\.(tmp|old)-/.test(f)), []);
});

test("cleanup", () => fs.rmSync(tmp, { recursive: true, force: true }));
