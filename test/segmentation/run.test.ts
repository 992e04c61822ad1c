/**
 * The segmentation task through the one runner on a hand-made 14-image data set (64×128 PNGs
 * whose class-3 stripes and class-4 squares are the masks, cpu backend, tiny U-Net): same seed →
 * byte-identical metrics.json; the per-epoch val score is the Kaggle score of stitched images
 * (checked against an independent count on the restored best checkpoint); the all-empty baseline
 * equals the share of empty (image, class) pairs; the submission reads back to the predicted masks;
 * loadSegmenter rebuilds the model from the run folder; no tensor is left behind. Then a run at
 * inputScale 0.5 gated by a constant classifier (gates kept only where they help; a missing
 * classifier is reported as skipped).
 */
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { writeImagePng, readImage } from "../../src/lib/data/image-io";
import { encodeMasks } from "../../src/lib/data/rle";
import type { Dataset, Sample } from "../../src/lib/data/types";
import { initWorkspace } from "../../src/lib/runtime/workspace";
import { runSegmentation, loadSegmenter } from "../../src/lib/experiments/segmentation";
import type { SegmentationConfig } from "../../src/lib/runner/tasks/segmentation-config";
import { predictStitched } from "../../src/lib/segmentation/predict";
import { parseSeverstalCsv } from "../../src/lib/data/severstal-csv";
import { constantClassifier } from "./constant-classifier";
import { DEFAULT_GATES } from "../../src/lib/runner/tasks/segmentation";

const H = 64;
const W = 128;
let tmp: string;
let ds: Dataset;
const masks = new Map<string, Uint8Array>();

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "steel-segrun-"));
  const samples: Sample[] = [];
  for (let n = 0; n < 14; n++) {
    const id = `img${String(n).padStart(2, "0")}.png`;
    const grey = new Float32Array(H * W).fill(0.5);
    const mask = new Uint8Array(H * W * 4);
    const paint = (y: number, x: number, c: number) => {
      grey[y * W + x] = c === 2 ? 0.1 : 0.9;
      mask[(y * W + x) * 4 + c] = 1;
    };
    if (n % 3 !== 0) for (let y = 0; y < H; y++) for (let x = 10 + n * 5; x < 16 + n * 5; x++) paint(y, x, 2);
    if (n % 2 === 0) for (let y = 20; y < 44; y++) for (let x = 90; x < 114; x++) paint(y, x, 3);
    const file = path.join(tmp, id);
    await writeImagePng(file, { data: grey, height: H, width: W, channels: 1 });
    masks.set(id, mask);
    const rle = encodeMasks(mask, H, W, 4);
    const labels = rle.map((r) => (r ? 1 : 0));
    const first = labels.indexOf(1);
    samples.push({ id, path: file, dataset: "severstal", label: first + 1, labels, rle, height: H, width: W });
  }
  ds = { name: "severstal", classNames: ["OK", "1", "2", "3", "4"], samples, skipped: [], source: "synthetic", root: tmp };
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cfg = (out: string): SegmentationConfig => ({
  run: "seg_test",
  outDir: out,
  encoder: "resnet18",
  decoderChannels: [16, 8, 8, 8, 4],
  channels: 1,
  tile: 32,
  tilesPerEpoch: 6,
  augment: "flips",
  split: { train: 0.5, val: 0.25, test: 0.25 },
  epochs: 2,
  batchSize: 3,
  optimizer: { name: "adamw", lr: 1e-3 },
  loss: "bce-dice",
  patience: 0,
  minOverlap: 8,
  tta: { horizontal: true },
  search: { thresholds: [0.3, 0.5], minAreas: [0, 100] },
  minComponentSize: 4,
});

async function workspace() {
  return initWorkspace("seg_test", { env: { ...process.env, STEEL_BACKEND: "cpu", SEED: "3", STEEL_PROFILE: "smoke", STEEL_OUTPUTS: path.join(tmp, "outputs") }, verbose: false });
}

test("a tiny segmentation run: same seed → identical metrics.json; stitched val score and empty baseline check out; submission, loader, no leak", async () => {
  const ws = await workspace();
  const before = tf.memory().numTensors;
  const a = await runSegmentation(ws, ds, cfg(path.join(tmp, "a")));
  a.run.model.dispose();
  assert.equal(tf.memory().numTensors, before, "no tensor left after a whole run (model disposed)");
  const b = await runSegmentation(ws, ds, cfg(path.join(tmp, "b")));
  b.run.model.dispose();
  assert.equal(fs.readFileSync(path.join(tmp, "a", "metrics.json"), "utf8"), fs.readFileSync(path.join(tmp, "b", "metrics.json"), "utf8"));
  assert.equal(a.history.length, 2);
  for (const k of ["val_kaggle", "val_dice", "val_iou", "loss"]) assert.ok(Number.isFinite(a.history[0][k]), `${k} in the history`);

  // The best epoch's val_kaggle, recomputed independently from the restored checkpoint.
  const seg = await loadSegmenter(path.join(tmp, "a"));
  const valIds = a.run.data.valIds;
  let sum = 0;
  for (const i of valIds) {
    const s = ds.samples[i];
    const prob = await predictStitched(seg.model, await readImage(s.path, { channels: 1 }), { minOverlap: 8 });
    const truth = masks.get(s.id)!;
    for (let c = 0; c < 4; c++) {
      let tp = 0, p = 0, t = 0;
      for (let j = c; j < prob.length; j += 4) {
        const pj = prob[j] >= 0.5 ? 1 : 0;
        tp += pj & truth[j];
        p += pj;
        t += truth[j];
      }
      sum += p + t === 0 ? 1 : (2 * tp) / (p + t);
    }
  }
  assert.ok(Math.abs(sum / (4 * valIds.length) - a.history[a.bestEpoch].val_kaggle) < 1e-9, "val_kaggle = mean pair Dice of stitched val images at 0.5");

  // All-empty baseline: each pair scores 1 exactly when the truth is empty.
  const testIds = a.run.data.testIds;
  const emptyPairs = testIds.reduce((acc, i) => acc + ds.samples[i].rle!.filter((r) => r === "").length, 0);
  // Same value, summed in another order: equal to rounding.
  assert.ok(Math.abs(a.evaluation.test.emptyBaseline.kaggle - emptyPairs / (4 * testIds.length)) < 1e-12, "all-empty baseline = share of empty pairs");

  // submission.csv: 4 rows per test image, decoding to the predicted masks (strict parser).
  const csv = parseSeverstalCsv(fs.readFileSync(a.files.submission, "utf8"), a.files.submission, { mode: "strict", height: H, width: W });
  assert.equal(csv.rows.length, 4 * testIds.length);
  assert.deepEqual(seg.postprocess.map((p) => p.threshold), a.evaluation.settings.map((p) => p.threshold));
  assert.equal(seg.config.task, "segmentation");
  seg.model.dispose();
  await assert.rejects(loadSegmenter(tmp), /not a training run folder/);
});

test("inputScale 0.5 and classifier gating: presence from the classifier, gates only where they help, gated test masks empty, missing gate → skipped", async () => {
  const ws = await workspace();
  const gateDir = path.join(tmp, "gate");
  const presence = [0.05, 0.05, 0.3, 0.2]; // class_1..class_4; OK gets 0.4
  await constantClassifier(gateDir, [0.4, ...presence]);
  const before = tf.memory().numTensors;
  const c = { ...cfg(path.join(tmp, "g")), inputScale: 0.5, tile: 32, minOverlap: 0, epochValImages: 1 };
  const r = await runSegmentation(ws, ds, c, { gate: { checkpoint: gateDir } });
  r.run.model.dispose();
  assert.equal(tf.memory().numTensors, before, "no tensor left (segmenter and classifier disposed)");
  const g = r.evaluation.gating;
  assert.equal(g.status, "used");
  assert.equal(g.mode, "single");
  assert.equal(g.gates!.length, 4);
  g.gates!.forEach((v, k) => {
    assert.ok(v === null || DEFAULT_GATES.includes(v), `gate ${v}`);
    assert.equal(r.evaluation.settings[k].gate ?? null, v);
  });
  assert.ok(g.valGated! >= g.valUngated! - 1e-12, "a gate is kept only when it does not lower the val score");
  // A class gated above its (constant) presence is empty on every test image.
  g.gates!.forEach((v, k) => {
    if (v === null || presence[k] >= v) return;
    for (const t of r.evaluation.testMasks) assert.ok(!t.mask.some((m, i) => m !== 0 && i % 4 === k), `class ${k + 1} gated out on ${t.imageId}`);
  });
  // Masks stay full-size: 64×128 frames predicted at 32×64.
  assert.equal(r.evaluation.height, H);
  assert.equal(r.evaluation.width, W);
  assert.equal(r.evaluation.testMasks[0].mask.length, H * W * 4);
  assert.equal(r.history.length, 2);
  const pp = JSON.parse(fs.readFileSync(r.files.postprocess, "utf8"));
  assert.equal(pp.gate, "gate");
  const seg = await loadSegmenter(path.join(tmp, "g"));
  assert.equal(seg.config.inputScale, 0.5);
  assert.equal(seg.gate, "gate");
  seg.model.dispose();

  const skipped = await runSegmentation(ws, ds, { ...c, outDir: path.join(tmp, "s") }, { gate: { checkpoint: path.join(tmp, "nope"), hint: "run notebook 04 first" } });
  skipped.run.model.dispose();
  assert.equal(skipped.evaluation.gating.status, "skipped");
  assert.match(skipped.evaluation.gating.reason!, /no classifier checkpoint at .*nope \(run notebook 04 first\)/);
  assert.ok(skipped.evaluation.settings.every((p) => p.gate === undefined));
});
