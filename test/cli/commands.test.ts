/**
 * The train / evaluate / predict commands as a user runs them (child processes, cpu backend,
 * a tiny NEU-layout folder of 16×16 images written here): bad arguments fail in one line before
 * any data loads, --debug shows the stack, --lenient turns a bad annotation into a counted skip,
 * and predict writes an error row for a broken file, keeps the others and exits 3.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { parse } from "csv-parse/sync";
import { projectPaths } from "../../src/lib/config/paths";
import { NEU_CLASSES } from "../../src/lib/data/neu";

const root = projectPaths().root;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "steel-cli-"));
const env = { ...process.env, STEEL_BACKEND: "cpu", STEEL_OUTPUTS: path.join(tmp, "outputs"), SEED: "42", STEEL_PROFILE: "smoke" };

function run(cmd: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "src/cli", `${cmd}.ts`), ...args], { cwd: root, env, encoding: "utf8", timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Lines of real output (the progress bars and tfjs' notices are not errors). */
function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("error:") || /^\s+at /.test(l));
}

/** 6 images per class, grey 16×16 with a class-dependent stripe so the classes differ. */
async function writeImages(dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  for (const [c, name] of NEU_CLASSES.entries()) {
    for (let n = 1; n <= 6; n++) {
      const px = Buffer.alloc(16 * 16);
      for (let i = 0; i < px.length; i++) px[i] = (i % 16) === c * 2 || Math.floor(i / 16) === c * 2 ? 230 : 30 + ((i * (n + 3)) % 40);
      await sharp(px, { raw: { width: 16, height: 16, channels: 1 } }).jpeg().toFile(path.join(dir, `${name}_${n}.jpg`));
    }
  }
}

const data = path.join(tmp, "neu", "images");
const runDir = path.join(tmp, "run");

test("setup: a tiny NEU folder", async () => {
  await writeImages(data);
  assert.equal(fs.readdirSync(data).length, 36);
});

for (const [what, cmd, args, message] of [
  ["unknown flag", "train", ["--model", "simplecnn", "--bogus"], /unknown option --bogus/],
  ["unknown model", "train", ["--model", "nope"], /--model must be one of/],
  ["zero epochs", "train", ["--model", "simplecnn", "--epochs", "0"], /--epochs must be a whole number >= 1/],
  ["non-numeric lr", "train", ["--model", "simplecnn", "--lr", "fast"], /--lr must be a number/],
  ["bad image size", "train", ["--model", "simplecnn", "--image-size", "16"], /--image-size must look like/],
  ["bad mode", "train", ["--model", "simplecnn", "--mode", "both"], /--mode must be one of single, multi/],
  ["missing data root", "train", ["--model", "simplecnn", "--data-root", "/nonexistent/neu"], /--data-root \/nonexistent\/neu does not exist/],
  ["segmentation model", "train", ["--model", "unet"], /needs the segmentation task/],
  ["missing checkpoint", "evaluate", ["--checkpoint", "/nonexistent/run"], /--checkpoint \/nonexistent\/run does not exist/],
  ["batch size not a whole number", "predict", ["--checkpoint", ".", "--images", ".", "--batch-size", "2.5"], /--batch-size must be a whole number/],
  ["stray argument", "evaluate", ["oops", "--checkpoint", "."], /unexpected argument "oops"/],
] as const) {
  test(`${cmd}: ${what} → one line on stderr, exit 2, nothing loaded`, () => {
    const r = run(cmd, [...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(errorLines(r.stderr).length, 1, r.stderr);
    assert.match(errorLines(r.stderr)[0], message);
    assert.equal(r.stdout, "", "the workspace/backend must not start before the arguments are valid");
  });
}

test("--debug adds the stack trace", () => {
  const r = run("train", ["--model", "simplecnn", "--epochs", "0", "--debug"]);
  assert.equal(r.code, 2);
  assert.ok(errorLines(r.stderr).some((l) => /^\s+at /.test(l)), r.stderr);
});

test("train → evaluate on a tiny folder through the runner", () => {
  const t = run("train", ["--model", "simplecnn", "--dataset", "neu", "--data-root", data, "--out", runDir, "--epochs", "1", "--image-size", "16x16", "--batch-size", "8"]);
  assert.equal(t.code, 0, t.stderr);
  for (const f of ["config.json", "metrics.json", "history.csv", "roc.png", "confusion_matrix.png", "best"]) assert.ok(fs.existsSync(path.join(runDir, f)), `${f} missing`);
  const m = JSON.parse(fs.readFileSync(path.join(runDir, "metrics.json"), "utf8"));
  assert.equal(m.split.train + m.split.val + m.split.test, 36);
  assert.equal(m.history.length, 1);

  const out = path.join(tmp, "eval");
  const e = run("evaluate", ["--checkpoint", runDir, "--data-root", data, "--out", out]);
  assert.equal(e.code, 0, e.stderr);
  const ev = JSON.parse(fs.readFileSync(path.join(out, "metrics.json"), "utf8"));
  assert.equal(ev.samples, 36);
  assert.equal(ev.confusion.flat().reduce((a: number, b: number) => a + b, 0), 36);
  assert.ok(ev.summary.accuracy >= 0 && ev.summary.accuracy <= 1);
});

test("a malformed annotation: strict names the file in one line; --lenient counts it and goes on", () => {
  const det = path.join(tmp, "neu-det");
  fs.cpSync(data, path.join(det, "images"), { recursive: true });
  fs.mkdirSync(path.join(det, "annotations"));
  fs.writeFileSync(path.join(det, "annotations", "crazing_1.xml"), "<annotation><object><name>crazing</name><bndbox><xmin>1</xmin>");
  const strict = run("evaluate", ["--checkpoint", runDir, "--data-root", det, "--out", path.join(tmp, "eval-strict")]);
  assert.equal(strict.code, 2, strict.stderr);
  assert.equal(errorLines(strict.stderr).length, 1, strict.stderr);
  assert.match(errorLines(strict.stderr)[0], /crazing_1\.xml/);
  const lenient = run("evaluate", ["--checkpoint", runDir, "--data-root", det, "--out", path.join(tmp, "eval-lenient"), "--lenient"]);
  assert.equal(lenient.code, 0, lenient.stderr);
  assert.match(lenient.stdout, /35 images used; 1 skipped: 1 bad annotation \(crazing_1\.xml\)/);
});

test("predict: a truncated file gets an error row, the others are written, exit 3", () => {
  const imgs = path.join(tmp, "predict");
  fs.mkdirSync(imgs);
  const names = fs.readdirSync(data).sort().slice(0, 5);
  for (const f of names) fs.copyFileSync(path.join(data, f), path.join(imgs, f));
  const whole = fs.readFileSync(path.join(data, names[0]));
  fs.writeFileSync(path.join(imgs, "truncated.jpg"), whole.subarray(0, 40));
  const csv = path.join(tmp, "pred.csv");
  const r = run("predict", ["--checkpoint", runDir, "--images", imgs, "--out", csv]);
  assert.equal(r.code, 3, r.stderr);
  assert.ok(r.stderr.split("\n").some((l) => l.startsWith("error:") && l.includes("truncated.jpg")), r.stderr);
  const rows = parse(fs.readFileSync(csv, "utf8"), { columns: true }) as Record<string, string>[];
  assert.equal(rows.length, 6);
  const bad = rows.filter((x) => x.error);
  assert.deepEqual(bad.map((x) => x.image), ["truncated.jpg"]);
  for (const row of rows.filter((x) => !x.error)) {
    const sum = NEU_CLASSES.reduce((a, c) => a + Number(row[`p_${c}`]), 0);
    assert.ok(Math.abs(sum - 1) < 1e-4, `${row.image}: probabilities sum to ${sum}`);
    assert.ok(NEU_CLASSES.includes(row.predicted), row.predicted);
  }
  assert.match(r.stdout, /5 images predicted, 1 failed/);
});

test("predict: every file good → exit 0", () => {
  const r = run("predict", ["--checkpoint", runDir, "--images", data, "--out", path.join(tmp, "all.csv")]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /36 images predicted →/);
});

test("cleanup", () => fs.rmSync(tmp, { recursive: true, force: true }));
