/**
 * What the explain tools write: colormaps (matplotlib's key colours), the high-confidence
 * mistakes and their confusion summary (hand-made predictions), the gallery PNG, and the
 * `explainFolder` pipeline behind the `explain` command on a saved run folder, including an
 * unreadable image (an error row, counted) and VOC boxes.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import * as tf from "@tensorflow/tfjs";
import { parse } from "csv-parse/sync";
import { colormapRgb, camGrey, pngDataUrl } from "../../src/lib/explain/overlay";
import { highConfidenceMistakes, mistakeConfusion, mistakesGalleryPng } from "../../src/lib/explain/mistakes";
import { explainFolder } from "../../src/lib/explain/folder";
import { loadClassifier } from "../../src/lib/experiments/classification";
import { createModel } from "../../src/lib/models/registry";
import { saveModel } from "../../src/lib/train/checkpoint";
import { encodePng } from "../../src/lib/data/image-io";
import { formatVocXml } from "../../src/lib/data/voc";
import { Predictions } from "../../src/lib/metrics/classification-scores";
import { writeMistakesGallery, writeCamFigure } from "../../src/lib/explain/mistakes-report";
import { execFileSync, spawnSync } from "child_process";

describe("colormaps", () => {
  test("jet and viridis end points as matplotlib", () => {
    assert.deepEqual(colormapRgb(0, "jet"), [0, 0, 128]);
    assert.deepEqual(colormapRgb(1, "jet"), [128, 0, 0]);
    assert.deepEqual(colormapRgb(0.5, "jet"), [128, 255, 128]);
    assert.deepEqual(colormapRgb(0, "viridis"), [68, 1, 84]);
    assert.deepEqual(colormapRgb(1, "viridis"), [253, 231, 37]);
    assert.deepEqual(Array.from(camGrey([0, 0.5, 1, 2], 2, 2).data), [0, 128, 255, 255]);
  });
});

describe("high-confidence mistakes", () => {
  const pred: Predictions = {
    ids: ["a", "b", "c", "d", "e"],
    classNames: ["crazing", "inclusion", "scratches"],
    probs: [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.2, 0.1, 0.7], [0.05, 0.15, 0.8], [0.6, 0.3, 0.1]],
    targets: [[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 0], [0, 1, 0]],
  };
  test("top-k wrong by confidence, and their confusion", () => {
    const m = highConfidenceMistakes(pred, 3);
    // b and d tie at 0.8: row order decides.
    assert.deepEqual(m.map((x) => x.id), ["b", "d", "c"]);
    assert.deepEqual(m[0], { index: 1, id: "b", trueClass: 2, predictedClass: 1, pPredicted: 0.8, pTrue: 0.1 });
    assert.deepEqual(mistakeConfusion(highConfidenceMistakes(pred, 20), pred.classNames), [
      { trueLabel: "inclusion", predictedLabel: "scratches", count: 2 },
      { trueLabel: "inclusion", predictedLabel: "crazing", count: 1 },
      { trueLabel: "scratches", predictedLabel: "inclusion", count: 1 },
    ]);
  });
  test("multi-hot targets are an error naming the row", () => {
    assert.throws(() => highConfidenceMistakes({ ...pred, targets: [[1, 1, 0], ...pred.targets.slice(1)] }), /row 0 \(a\)/);
  });
  test("gallery: one row per mistake, three tiles", async () => {
    const image = { data: new Float32Array(8 * 8).fill(0.5), height: 8, width: 8, channels: 1 };
    const cam = Float32Array.from({ length: 64 }, (_, i) => i / 63);
    const items = highConfidenceMistakes(pred, 2).map((mistake) => ({ mistake, image, camPredicted: cam, camTrue: cam }));
    const png = await mistakesGalleryPng(items, pred.classNames, { tile: 32 });
    const meta = await sharp(png).metadata();
    assert.equal(meta.width, 3 * 32 + 4 * 6);
    assert.ok((meta.height ?? 0) > 2 * 32);
    assert.match(pngDataUrl(png), /^data:image\/png;base64,iVBOR/);
  });
});

describe("explainFolder (the explain command)", () => {
  let dir: string;
  before(async () => {
    await tf.setBackend("cpu");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "explain-"));
    const run = path.join(dir, "run");
    const model = createModel("simplecnn", { inputShape: [16, 16, 1], classes: 2, seed: 4, inputNormalization: "standardize" });
    await saveModel(model, path.join(run, "best"));
    model.dispose();
    fs.writeFileSync(path.join(run, "config.json"), JSON.stringify({ run: "t", mode: "single", model: "simplecnn", imageSize: { height: 16, width: 16 }, channels: 1, classNames: ["inclusion", "scratches"], dataset: "neu" }));
    const imgs = path.join(dir, "images");
    fs.mkdirSync(imgs);
    for (const [name, v] of [["inclusion_1", 0.2], ["scratches_2", 0.7]] as const) {
      const data = Float32Array.from({ length: 30 * 40 }, (_, i) => (i % 40 > 20 ? v : 1 - v));
      fs.writeFileSync(path.join(imgs, `${name}.png`), await encodePng({ data, height: 30, width: 40, channels: 1 }));
    }
    fs.writeFileSync(path.join(imgs, "broken.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
    fs.mkdirSync(path.join(dir, "boxes"));
    fs.writeFileSync(path.join(dir, "boxes", "inclusion_1.xml"), formatVocXml({ folder: "", filename: "inclusion_1.png", width: 40, height: 30, depth: 1, objects: [{ className: "inclusion", xmin: 1, ymin: 1, xmax: 20, ymax: 30 }] }));
  });

  test("heatmaps and overlays at the image size, cams.csv with an error row, localisation JSON", async () => {
    const { model, config } = await loadClassifier(path.join(dir, "run"));
    const out = path.join(dir, "out");
    const before = tf.memory().numTensors;
    const r = await explainFolder(model, config, path.join(dir, "images"), { method: "gradcam", target: "predicted", outDir: out, boxesDir: path.join(dir, "boxes") });
    assert.equal(tf.memory().numTensors, before);
    assert.equal(r.errors, 1);
    const rows = parse(fs.readFileSync(path.join(out, "cams.csv")), { columns: true }) as Record<string, string>[];
    assert.deepEqual(rows.map((x) => x.image), ["broken.png", "inclusion_1.png", "scratches_2.png"]);
    assert.match(rows[0].error, /broken\.png/);
    assert.ok(["inclusion", "scratches"].includes(rows[1].target_class));
    assert.ok(Number(rows[1].peak_x) >= 0 && Number(rows[1].peak_x) < 40 && Number(rows[1].peak_y) < 30);
    const heat = await sharp(path.join(out, "heatmaps", "inclusion_1.png")).metadata();
    assert.deepEqual([heat.width, heat.height, heat.channels], [40, 30, 1]);
    const over = await sharp(path.join(out, "overlays", "scratches_2.png")).metadata();
    assert.deepEqual([over.width, over.height, over.channels], [40, 30, 3]);
    assert.ok(fs.existsSync(path.join(out, "gradcam.png")));
    const loc = JSON.parse(fs.readFileSync(path.join(out, "localisation.json"), "utf8"));
    assert.equal(loc.summary.inclusion.images, 1);
    assert.equal(loc.summary.inclusion.chance, 0.5);
    assert.deepEqual(loc.skipped.map((s: { image: string }) => s.image), ["scratches_2.png"]);
    // A fixed class target is explained for every image.
    const fixed = await explainFolder(model, config, path.join(dir, "images"), { method: "layercam", target: "scratches", outDir: path.join(dir, "out2") });
    assert.deepEqual(fixed.rows.filter((x) => !x.error).map((x) => x.targetClass), ["scratches", "scratches"]);
    await assert.rejects(explainFolder(model, config, path.join(dir, "images"), { method: "gradcam", target: "rust", outDir: out }), /--target must be/);
    model.dispose();
  });
});

describe("mistakes gallery and figure from a model", () => {
  test("the gallery lists exactly the model's wrong predictions, by confidence; no leak", async () => {
    await tf.setBackend("cpu");
    const model = createModel("simplecnn", { inputShape: [16, 16, 1], classes: 3, seed: 8, inputNormalization: "standardize" });
    const items = Array.from({ length: 9 }, (_, i) => ({
      id: `img${i}`,
      label: i % 3,
      image: { data: Float32Array.from({ length: 256 }, (_, p) => ((p * (i + 3)) % 17) / 17), height: 16, width: 16, channels: 1 },
    }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "explain-m-"));
    const before = tf.memory().numTensors;
    const r = await writeMistakesGallery(model, items, ["a", "b", "c"], path.join(dir, "m.png"), { k: 4 });
    const fig = await writeCamFigure(model, items, ["a", "b", "c"], path.join(dir, "gradcam.png"), { perClass: 1 });
    assert.equal(tf.memory().numTensors, before);
    // Independent check: argmax of model.predict per image.
    const probs = (model.predict(tf.stack(items.map((it) => tf.tensor3d(it.image.data, [16, 16, 1])))) as tf.Tensor).arraySync() as number[][];
    const wrong = probs.map((p, i) => ({ i, k: p.indexOf(Math.max(...p)), p: Math.max(...p) })).filter((w) => w.k !== items[w.i].label).sort((a, b) => b.p - a.p || a.i - b.i);
    assert.deepEqual(r.mistakes.map((m) => m.index), wrong.slice(0, 4).map((w) => w.i));
    assert.equal(r.file !== undefined, wrong.length > 0);
    assert.ok(fs.existsSync(fig));
    model.dispose();
  });
});

describe("explain command line", () => {
  const cli = path.join(__dirname, "../../src/cli/explain.ts");
  test("--help prints the usage; a bad --method is a one-line error (exit 2)", () => {
    const help = execFileSync(process.execPath, ["--import", "tsx", cli, "--help"]).toString();
    assert.match(help, /usage: explain --checkpoint RUN_DIR --images FOLDER/);
    const bad = spawnSync(process.execPath, ["--import", "tsx", cli, "--checkpoint", "x", "--images", "y", "--method", "magic"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr.toString().trim(), /^error: --method must be one of gradcam, gradcampp, .*got "magic"$/);
  });
});
