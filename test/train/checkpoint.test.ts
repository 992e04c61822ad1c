import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import {
  loadModel,
  readCheckpoint,
  restoreModelWeights,
  restoreOptimizerState,
  saveCheckpoint,
  saveModel,
} from "../../src/lib/train/checkpoint";
import { writeDirAtomic } from "../../src/lib/util/atomic-write";
import { createOptimizer } from "../../src/lib/train/optimizers/factory";
import { createLoss } from "../../src/lib/losses/registry";
import { trainStep } from "../../src/lib/train/step";
import { maxAbsDiff, tinyData, tinyModel, weightsOf } from "./helpers";

before(async () => {
  await tf.setBackend("cpu");
});

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "steel-ckpt-"));

test("saveModel writes tfjs model.json + weights.bin; loadModel gives the same predictions", async () => {
  const dir = path.join(tmp(), "model");
  const model = tinyModel(3, { conv: true });
  await saveModel(model, dir);
  assert.deepEqual(fs.readdirSync(dir).sort(), ["model.json", "weights.bin"]);
  const json = JSON.parse(fs.readFileSync(path.join(dir, "model.json"), "utf8"));
  assert.equal(json.format, "layers-model");
  assert.deepEqual(json.weightsManifest[0].paths, ["weights.bin"]);
  const nParams = model.countParams();
  assert.equal(fs.statSync(path.join(dir, "weights.bin")).size, nParams * 4);
  const loaded = await loadModel(dir);
  const { x, y } = tinyData(1, 5);
  const a = (model.predict(x) as tf.Tensor).dataSync();
  const b = (loaded.predict(x) as tf.Tensor).dataSync();
  assert.deepEqual(Array.from(b), Array.from(a));
  // no temp directories left next to the target
  assert.deepEqual(fs.readdirSync(path.dirname(dir)), ["model"]);
  tf.dispose([x, y]);
  model.dispose();
  loaded.dispose();
});

test("writeDirAtomic replaces an existing directory whole; a left-over .old copy is still readable", async () => {
  const root = tmp();
  const dir = path.join(root, "ckpt");
  writeDirAtomic(dir, { "a.txt": "one", "stale.txt": "x" });
  writeDirAtomic(dir, { "a.txt": "two" });
  assert.deepEqual(fs.readdirSync(dir), ["a.txt"]);
  assert.equal(fs.readFileSync(path.join(dir, "a.txt"), "utf8"), "two");
  assert.deepEqual(fs.readdirSync(root), ["ckpt"]);
  // Simulate a crash between the two renames: only <dir>.old-* exists.
  const m = tinyModel(2);
  const mdir = path.join(root, "m");
  await saveModel(m, mdir);
  fs.renameSync(mdir, `${mdir}.old-123`);
  const c = readCheckpoint(mdir);
  assert.equal(c.dir, `${mdir}.old-123`);
  assert.throws(() => readCheckpoint(path.join(root, "missing")), /no model\.json in .*missing/);
  m.dispose();
});

test("checkpoint restores weights into a fresh model and AdamW moments into a fresh optimizer", async () => {
  const dir = path.join(tmp(), "c");
  const { x, y } = tinyData(5, 8);
  const loss = createLoss("cross-entropy");
  const model = tinyModel(11);
  const opt = createOptimizer("adamw", { lr: 0.01 });
  for (let i = 0; i < 3; i++) trainStep(model, opt, x, y, { loss });
  await saveCheckpoint(dir, { model, optimizer: opt, meta: { epoch: 7, note: "hi" } });
  const file = readCheckpoint<{ epoch: number; note: string }>(dir);
  assert.equal(file.file.meta.epoch, 7);
  assert.equal(file.file.optimizer?.className, "AdamW");
  assert.equal(file.file.optimizer?.names.length, 1 + 2 * model.trainableWeights.length);

  const model2 = tinyModel(99); // different init: must be overwritten
  const opt2 = createOptimizer("adamw", { lr: 0.01 });
  restoreModelWeights(model2, file);
  await restoreOptimizerState(opt2, file);
  assert.equal(opt2.iterations, 3);
  assert.equal(maxAbsDiff(await weightsOf(model), await weightsOf(model2)), 0);
  // Continuing both must stay bit-identical (moments and step count restored).
  for (let i = 0; i < 2; i++) {
    trainStep(model, opt, x, y, { loss });
    trainStep(model2, opt2, x, y, { loss });
  }
  assert.equal(maxAbsDiff(await weightsOf(model), await weightsOf(model2)), 0);

  // Wrong architecture / optimizer → clear errors.
  const other = tinyModel(1, { hidden: 5 });
  assert.throws(() => restoreModelWeights(other, file), /shape/);
  const sgd = createOptimizer("sgd", { lr: 0.1 });
  await assert.rejects(restoreOptimizerState(sgd, file), /optimizer state is AdamW but the run uses ScheduledSGD/);
  [opt, opt2, sgd].forEach((o) => o.dispose());
  [model, model2, other].forEach((m) => m.dispose());
  tf.dispose([x, y]);
});

test("restore is independent of which layers were frozen at save time (tfjs orders trainable weights first)", async () => {
  const dir = path.join(tmp(), "frozen");
  const model = tinyModel(8, { conv: true });
  model.layers[0].trainable = false; // model.weights now lists the conv kernel last
  await saveCheckpoint(dir, { model, meta: {} });
  const fresh = tinyModel(9, { conv: true }); // different auto-generated names, nothing frozen
  restoreModelWeights(fresh, readCheckpoint(dir));
  for (let i = 0; i < model.layers.length; i++) {
    const a = model.layers[i].getWeights().map((w) => w.dataSync() as Float32Array);
    const b = fresh.layers[i].getWeights().map((w) => w.dataSync() as Float32Array);
    assert.equal(maxAbsDiff(a, b), 0, `layer ${i}`);
  }
  model.dispose();
  fresh.dispose();
});
