/**
 * runCrossDataset end to end on files written here (cpu backend, a tiny untrained SimpleCNN):
 * every view × mitigation row is there, distributions sum to the item counts, the model's weights
 * are the same afterwards (AdaBN restored), and no tensor is left behind.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { createModel } from "../../src/lib/models/registry";
import { NEU_CLASSES } from "../../src/lib/data/neu";
import { GC10_CLASSES } from "../../src/lib/data/gc10";
import type { Dataset } from "../../src/lib/data/types";
import { renderGc10Image } from "../../src/lib/data/synthetic/gc10-synth";
import { greyToUint8 } from "../../src/lib/data/synthetic/texture";
import { runCrossDataset, MITIGATIONS } from "../../src/lib/cross-dataset";

before(async () => {
  await tf.setBackend("cpu");
});

test("runCrossDataset: all rows, counts sum, weights unchanged, no tensor leak", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "steel-cross-run-"));
  const neu: Dataset = { name: "neu", classNames: [...NEU_CLASSES], source: "synthetic", root: dir, skipped: [], samples: [] };
  for (let i = 0; i < 12; i++) {
    const px = Buffer.alloc(40 * 40);
    for (let k = 0; k < px.length; k++) px[k] = (k * (i + 3)) % 200;
    const file = path.join(dir, `neu_${i}.png`);
    await sharp(px, { raw: { width: 40, height: 40, channels: 1 } }).png().toFile(file);
    neu.samples.push({ id: `n${i}`, path: file, dataset: "neu", label: i % 6, labels: [], height: 40, width: 40 });
  }
  const gc10: Dataset = { name: "gc10", classNames: [...GC10_CLASSES], source: "synthetic", root: dir, skipped: [], samples: [] };
  for (let i = 0; i < 2; i++) {
    const r = renderGc10Image(5, 6, `img_01_000000000${i}_00001`);
    const file = path.join(dir, `gc10_${i}.png`);
    await sharp(Buffer.from(greyToUint8(r.grey, 1)), { raw: { width: 2048, height: 1000, channels: 1 } }).png().toFile(file);
    const boxes = r.boxes.map((b) => ({ ...b, className: GC10_CLASSES[Number(b.className.split("_")[0]) - 1] }));
    gc10.samples.push({ id: `g${i}`, path: file, dataset: "gc10", label: 6, labels: [], height: 1000, width: 2048, boxes });
  }
  const model = createModel("simplecnn", { inputShape: [16, 16, 1], classes: 6, seed: 1, head: { hidden: 8 } });
  const w0 = model.getWeights().map((w) => Array.from(w.dataSync()));
  const n0 = tf.memory().numTensors;
  const r = await runCrossDataset({
    model,
    classNames: [...NEU_CLASSES],
    imageSize: { height: 16, width: 16 },
    channels: 1,
    source: { ds: neu, train: [0, 1, 2, 3, 4, 5], test: [6, 7, 8, 9, 10, 11] },
    target: gc10,
    outDir: path.join(dir, "out"),
  });
  assert.equal(tf.memory().numTensors, n0, "tensors left behind");
  assert.deepEqual(model.getWeights().map((w) => Array.from(w.dataSync())), w0, "weights changed (AdaBN not restored?)");
  assert.equal(r.rows.length, 2 * MITIGATIONS.length);
  const crops = gc10.samples.reduce((n, s) => n + s.boxes!.filter((b) => b.className === "inclusion").length, 0);
  assert.equal(r.zeroShot.frame!.n, 2);
  assert.equal(r.zeroShot.boxes!.n, crops);
  for (const z of [r.zeroShot.frame!, r.zeroShot.boxes!]) assert.equal(z.distribution.reduce((s, d) => s + d.count, 0), z.n);
  assert.equal(r.source.confusion.flat().reduce((a, b) => a + b, 0), 6);
  for (const f of Object.values(r.files)) assert.ok(fs.existsSync(f), f);
  assert.deepEqual(r.diagnostics.distances.map((d) => d.set), ["NEU train", "GC10 frames", "GC10 box crops"]);
  model.dispose();
});
