/**
 * `segment train | evaluate | predict` as a user runs them (child processes, smoke profile, a
 * 20-image Severstal-layout folder drawn by the synthetic generator): bad arguments fail in one
 * line before anything loads; train killed after its first epoch resumes and finishes with a
 * verified submission; evaluate prints the Kaggle score and the post-processing table; predict
 * names and counts a truncated and a wrong-size image, writes the others' rows and exits 3.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { parse } from "csv-parse/sync";
import { projectPaths } from "../../src/lib/config/paths";
import { generateSeverstalSynthetic } from "../../src/lib/data/synthetic/severstal-synth";
import { constantClassifier } from "../segmentation/constant-classifier";

const root = projectPaths().root;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "steel-segment-"));
const env = { ...process.env, STEEL_OUTPUTS: path.join(tmp, "outputs"), SEED: "42", STEEL_PROFILE: "smoke" };
const script = path.join(root, "src/cli/segment.ts");
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", script, ...args], { cwd: root, env, encoding: "utf8", timeout: 900_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("error:") || /^\s+at /.test(l));
}

for (const [what, args, message] of [
  ["no subcommand", [], /needs a subcommand: train, evaluate or predict/],
  ["unknown subcommand", ["fit"], /needs a subcommand.*got "fit"/],
  ["tile not a multiple of 32", ["train", "--tile", "100"], /--tile must be a multiple of 32/],
  ["unknown encoder", ["train", "--encoder", "vgg16"], /--encoder must be one of resnet18, resnet34, resnet50/],
  ["unknown loss", ["train", "--loss", "mse"], /--loss must be one of/],
  ["option of another subcommand", ["predict", "--checkpoint", ".", "--images", ".", "--epochs", "2"], /--epochs is not an option of 'segment predict'/],
  ["predict without checkpoint", ["predict", "--images", "."], /--checkpoint is required/],
  ["missing gate folder", ["evaluate", "--checkpoint", ".", "--gate", "/nonexistent/gate"], /--gate \/nonexistent\/gate does not exist/],
  ["missing images folder", ["predict", "--checkpoint", ".", "--images", "/nonexistent/test_images"], /--images \/nonexistent\/test_images does not exist/],
] as const) {
  test(`segment: ${what} → one line on stderr, exit 2, nothing loaded`, () => {
    const r = run([...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(errorLines(r.stderr).length, 1, r.stderr);
    assert.match(errorLines(r.stderr)[0], message);
    assert.equal(r.stdout, "");
  });
}

const data = path.join(tmp, "severstal");
const runDir = path.join(tmp, "run");
const trainArgs = ["train", "--data-root", data, "--out", runDir, "--epochs", "2", "--tiles-per-epoch", "8", "--tile", "64"];

test("segment train: killed after epoch 1, the rerun resumes and finishes (checkpoint, history, verified submission)", async () => {
  await generateSeverstalSynthetic(data, { seed: 7, images: 20, minPerClass: 1, profile: "custom" });
  // First run: killed as soon as epoch 1's last/ checkpoint is on disk.
  const child = spawn(process.execPath, ["--import", "tsx", script, ...trainArgs], { cwd: root, env, stdio: "ignore" });
  const meta = path.join(runDir, "last", "checkpoint.json");
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (fs.existsSync(meta)) {
        clearInterval(timer);
        child.kill("SIGKILL");
        resolve();
      }
    }, 200);
    child.on("exit", () => {
      clearInterval(timer);
      fs.existsSync(meta) ? resolve() : reject(new Error("train exited before writing last/"));
    });
  });
  await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.on("exit", r)));
  assert.ok(!fs.existsSync(path.join(runDir, "config.json")), "the killed run must not look finished");
  const r = run(trainArgs);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /resuming .* after epoch 1 of 2/);
  for (const f of ["config.json", "metrics.json", "history.csv", "postprocess.json", "submission.csv", "best", "last"]) assert.ok(fs.existsSync(path.join(runDir, f)), `${f} missing`);
  const m = JSON.parse(fs.readFileSync(path.join(runDir, "metrics.json"), "utf8"));
  assert.equal(m.history.length, 2);
  for (const h of m.history) assert.ok(h.val_kaggle >= 0 && h.val_kaggle <= 1, JSON.stringify(h));
  assert.equal(m.split.train + m.split.val + m.split.test, 20);
  const rows = parse(fs.readFileSync(path.join(runDir, "submission.csv"), "utf8"), { columns: true }) as Record<string, string>[];
  assert.equal(rows.length, 4 * m.test.images);
  assert.match(r.stdout, /test Kaggle score \d\.\d{4} \(all-empty \d\.\d{4}\)/);
});

test("segment evaluate: Kaggle score, per-class Dice and the post-processing table", () => {
  const out = path.join(tmp, "eval");
  const r = run(["evaluate", "--checkpoint", runDir, "--data-root", data, "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Kaggle score \d\.\d{4} on 20 images \(all-empty \d\.\d{4}\); per-class Dice/);
  assert.match(r.stdout, /threshold 0\.5 only/);
  const m = JSON.parse(fs.readFileSync(path.join(out, "metrics.json"), "utf8"));
  assert.equal(m.test.images, 20);
  assert.equal(m.test.perClassDice.length, 4);
});

test("segment evaluate --gate, then predict with its post-processing and the same gate", async () => {
  const gate = path.join(tmp, "gate_run");
  await constantClassifier(gate, [0.4, 0.05, 0.05, 0.3, 0.2]);
  const out = path.join(tmp, "eval_gated");
  const r = run(["evaluate", "--checkpoint", runDir, "--data-root", data, "--out", out, "--gate", gate]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /classifier gating with gate_run \(single-label\): gates 1: (off|[\d.]+), 2: (off|[\d.]+), 3: (off|[\d.]+), 4: (off|[\d.]+); val Kaggle \d\.\d{4} gated vs \d\.\d{4} ungated/);
  const m = JSON.parse(fs.readFileSync(path.join(out, "metrics.json"), "utf8"));
  assert.equal(m.gating.status, "used");
  assert.ok(m.gating.valGated >= m.gating.valUngated);
  const imgs = path.join(data, "train_images");
  const p = run(["predict", "--checkpoint", runDir, "--images", imgs, "--out", path.join(tmp, "gated.csv"), "--postprocess", path.join(out, "postprocess.json"), "--gate", gate]);
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stdout, /20 images predicted → /);
});

test("segment predict: a truncated and a wrong-size image are named and counted, the others written and verified, exit 3", async () => {
  const imgs = path.join(tmp, "test_images");
  fs.mkdirSync(imgs);
  const names = fs.readdirSync(path.join(data, "train_images")).sort().slice(0, 2);
  for (const f of names) fs.copyFileSync(path.join(data, "train_images", f), path.join(imgs, f));
  fs.writeFileSync(path.join(imgs, "truncated.jpg"), fs.readFileSync(path.join(imgs, names[0])).subarray(0, 60));
  await sharp(Buffer.alloc(128 * 800, 90), { raw: { width: 800, height: 128, channels: 1 } }).jpeg().toFile(path.join(imgs, "small.jpg"));
  const csv = path.join(tmp, "submission.csv");
  const overlays = path.join(tmp, "overlays");
  const r = run(["predict", "--checkpoint", runDir, "--images", imgs, "--out", csv, "--overlays", overlays]);
  assert.equal(r.code, 3, r.stderr);
  const errs = r.stderr.split("\n").filter((l) => l.startsWith("error:"));
  assert.equal(errs.length, 2, r.stderr);
  assert.ok(errs.some((l) => l.includes("truncated.jpg")) && errs.some((l) => l.includes("small.jpg") && /128×800, expected 256×1600/.test(l)), r.stderr);
  assert.match(r.stdout, /2 images predicted, 2 failed \((small|truncated)\.jpg, (small|truncated)\.jpg\)/);
  const rows = parse(fs.readFileSync(csv, "utf8"), { columns: true }) as Record<string, string>[];
  assert.deepEqual(Object.keys(rows[0]), ["ImageId", "EncodedPixels", "ClassId"]);
  assert.deepEqual([...new Set(rows.map((x) => x.ImageId))].sort(), names);
  assert.equal(rows.length, 8);
  assert.deepEqual(fs.readdirSync(overlays).sort(), names.map((n) => n.replace(".jpg", ".png")));
  const ok = run(["predict", "--checkpoint", runDir, "--images", path.join(data, "train_images"), "--out", path.join(tmp, "all.csv")]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /20 images predicted → /);
});
