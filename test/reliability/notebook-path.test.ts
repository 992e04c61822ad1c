/**
 * The notebook API's run path behaves as the commands do: lab.openDataset pre-flight checks the
 * data (a broken file is named before anything trains; lenient counts it, announces it and writes
 * outputs/data_check/<dataset>.json), runClassification checks a dataset openDataset did not
 * return, and a re-executed training cell reuses the finished run (resumes with no more epochs,
 * same bytes), refuses a changed config and starts over with { restart: true }.
 * In process, wasm backend, a tiny generated NEU folder as data_raw/neu.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { NEU_CLASSES, loadNeu } from "../../src/lib/data/neu";
import { DataError } from "../../src/lib/data/types";
import { openDataset } from "../../src/lib/experiments/datasets";
import { runClassification, ClassificationConfig } from "../../src/lib/experiments/classification";
import { initWorkspace, Workspace } from "../../src/lib/runtime/workspace";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "steel-nb-path-"));
const dataRaw = path.join(tmp, "data_raw");
const neuDir = path.join(dataRaw, "neu");
let ws: Workspace;

async function writeImages(): Promise<void> {
  fs.mkdirSync(neuDir, { recursive: true });
  for (const [c, name] of NEU_CLASSES.entries()) {
    for (let n = 1; n <= 4; n++) {
      const px = Buffer.alloc(16 * 16);
      for (let i = 0; i < px.length; i++) px[i] = i % 16 === c * 2 ? 220 : 30 + ((i * (n + 3)) % 40);
      await sharp(px, { raw: { width: 16, height: 16, channels: 1 } }).jpeg().toFile(path.join(neuDir, `${name}_${n}.jpg`));
    }
  }
}

const cfg = (over: Partial<ClassificationConfig> = {}): ClassificationConfig => ({
  run: "nb_resume",
  mode: "single",
  model: "simplecnn",
  head: { hidden: 16, dropout: 0.3 },
  imageSize: { height: 16, width: 16 },
  channels: 1,
  epochs: 2,
  batchSize: 8,
  optimizer: { name: "adamw", lr: 1e-3 },
  ...over,
});

const quiet = { announce: false as const };

test("setup: workspace on a generated data_raw/neu", async () => {
  await writeImages();
  ws = await initWorkspace("nb_path", {
    env: { ...process.env, STEEL_BACKEND: "wasm", STEEL_OUTPUTS: path.join(tmp, "outputs"), STEEL_DATA_RAW: dataRaw, SEED: "7", STEEL_PROFILE: "smoke" },
    verbose: false,
  });
});

test("openDataset: a text file named .jpg is named before training (strict); lenient skips it, announces the count and writes data_check", async () => {
  const bad = path.join(neuDir, "crazing_4.jpg");
  const good = fs.readFileSync(bad);
  fs.writeFileSync(bad, "this is not an image\n");
  try {
    const t0 = Date.now();
    await assert.rejects(openDataset(ws, "neu", quiet), (e: Error) => e instanceof DataError && e.message.includes("crazing_4.jpg") && /--lenient/.test(e.message));
    assert.ok(Date.now() - t0 < 30_000, "found by the pre-flight check, in seconds");
    const said: string[] = [];
    const ds = await openDataset(ws, "neu", { lenient: true, announce: (text) => said.push(text) });
    assert.equal(ds.samples.length, 23);
    assert.ok(!ds.samples.some((s) => s.id === "crazing_4"));
    assert.ok(said.some((l) => /neu pre-flight check: 23 images used; 1 skipped: 1 unreadable \(crazing_4\.jpg\)/.test(l)), said.join("\n"));
    const report = JSON.parse(fs.readFileSync(path.join(tmp, "outputs", "data_check", "neu.json"), "utf8"));
    assert.deepEqual([report.imagesUsed, report.skipped, report.skips[0].file], [23, 1, bad]);
  } finally {
    fs.writeFileSync(bad, good);
  }
});

test("runClassification checks a dataset openDataset did not return: a broken file stops it before the run folder exists", async () => {
  const bad = path.join(neuDir, "patches_2.jpg");
  const good = fs.readFileSync(bad);
  // Loaded by hand (no pre-flight), then a file breaks — as between two notebook cells.
  const ds = await loadNeu(neuDir);
  assert.equal(ds.samples.length, 24);
  fs.writeFileSync(bad, good.subarray(0, Math.floor(good.length * 0.6)));
  try {
    const outDir = path.join(tmp, "unchecked-run");
    await assert.rejects(runClassification(ws, ds, cfg({ outDir })), (e: Error) => e instanceof DataError && e.message.includes("patches_2.jpg"));
    assert.ok(!fs.existsSync(outDir), "nothing was started");
  } finally {
    fs.writeFileSync(bad, good);
  }
});

test("a re-executed training cell reuses the finished run (no more epochs, same bytes); a changed config is refused; restart: true trains again", { timeout: 300_000 }, async () => {
  const ds = await openDataset(ws, "neu", quiet);
  const outDir = path.join(tmp, "runs", "nb_resume");
  const first = await runClassification(ws, ds, cfg({ outDir }));
  assert.equal(first.start.action, "fresh");
  const metrics = fs.readFileSync(path.join(outDir, "metrics.json"));
  const weights = fs.readFileSync(path.join(outDir, "best", "weights.bin"));
  first.model.dispose();

  const again = await runClassification(ws, ds, cfg({ outDir }));
  assert.deepEqual(again.start.action === "resume" && [again.start.afterEpoch, /already finished \(2 of 2 epochs\)/.test(again.start.message)], [2, true], again.start.message);
  assert.equal(again.seconds.perEpoch.length, 0, "no epoch trained again");
  assert.ok(fs.readFileSync(path.join(outDir, "metrics.json")).equals(metrics), "metrics.json changed");
  assert.ok(fs.readFileSync(path.join(outDir, "best", "weights.bin")).equals(weights), "best/ weights changed");
  assert.deepEqual(again.history, first.history);
  again.model.dispose();

  await assert.rejects(runClassification(ws, ds, cfg({ outDir, optimizer: { name: "adamw", lr: 5e-3 } })), (e: Error) => e.name === "ResumeRefused" && /different configuration/.test(e.message) && /restart: true/.test(e.message));
  const restarted = await runClassification(ws, ds, cfg({ outDir, optimizer: { name: "adamw", lr: 5e-3 } }), { restart: true });
  assert.equal(restarted.start.action, "fresh");
  assert.equal(restarted.seconds.perEpoch.length, 2);
  restarted.model.dispose();
});

test("cleanup", () => fs.rmSync(tmp, { recursive: true, force: true }));
