import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { fit, evaluate, hasCheckpoint, FitOptions } from "../../src/lib/train/trainer";
import { arrayBatches } from "../../src/lib/train/array-batches";
import { readCheckpoint, restoreModelWeights } from "../../src/lib/train/checkpoint";
import { bestCheckpoint } from "../../src/lib/train/callbacks/best-checkpoint";
import { earlyStopping } from "../../src/lib/train/callbacks/early-stopping";
import { listenerCallback } from "../../src/lib/train/callbacks/listener";
import { historyLogger, historyToCsv } from "../../src/lib/train/callbacks/history-writer";
import { LAST_DIR, lastCheckpoint } from "../../src/lib/train/callbacks/last-checkpoint";
import { fitTwoStage } from "../../src/lib/train/two-stage";
import { createLoss } from "../../src/lib/losses/registry";
import { ProgressState } from "../../src/lib/util/progress";
import { createRng } from "../../src/lib/util/rng";
import { Callback, TrainContext } from "../../src/lib/train/types";
import { maxAbsDiff, tinyData, tinyModel, weightsOf } from "./helpers";

before(async () => {
  await tf.setBackend("cpu");
});

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "steel-fit-"));
const base = (o: Partial<FitOptions> = {}): FitOptions => ({ epochs: 3, batchSize: 8, seed: 5, progress: false, optimizer: { name: "adamw", lr: 0.01 }, ...o });

test("fit trains, and its validation metrics agree with an independent recomputation", async () => {
  const train = tinyData(1, 64);
  const val = tinyData(2, 24);
  const model = tinyModel(3);
  const r = await fit(model, { train, val }, base({ epochs: 6, optimizer: { name: "adamw", lr: 0.03 } }));
  const h = r.history;
  assert.equal(h.length, 6);
  assert.deepEqual(Object.keys(h[0]).sort(), ["accuracy", "epoch", "loss", "lr", "macroF1", "val_accuracy", "val_loss", "val_macroF1"]);
  assert.ok(h[5].loss < h[0].loss * 0.8, `loss ${h[0].loss} → ${h[5].loss}`);
  // Recompute val metrics from the final model in plain JS.
  const probs = (model.predict(val.x) as tf.Tensor).arraySync() as number[][];
  const pred = probs.map((p) => p.indexOf(Math.max(...p)));
  const acc = pred.filter((p, i) => p === val.labels[i]).length / pred.length;
  assert.ok(Math.abs(h[5].val_accuracy - acc) < 1e-12);
  const f1s = [0, 1, 2].map((c) => {
    const tp = pred.filter((p, i) => p === c && val.labels[i] === c).length;
    const fp = pred.filter((p, i) => p === c && val.labels[i] !== c).length;
    const fn = pred.filter((p, i) => p !== c && val.labels[i] === c).length;
    return 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  });
  assert.ok(Math.abs(h[5].val_macroF1 - (f1s[0] + f1s[1] + f1s[2]) / 3) < 1e-12);
  const ce = probs.reduce((a, p, i) => a - Math.log(Math.max(p[val.labels[i]], 1e-7)), 0) / probs.length;
  assert.ok(Math.abs(h[5].val_loss - ce) < 1e-5, `${h[5].val_loss} vs ${ce}`);
  tf.dispose([train.x, train.y, val.x, val.y]);
  model.dispose();
});

test("fit without an optimizer option trains with the documented default, adamw at lr 1e-3", async () => {
  const train = tinyData(1, 24);
  const implicit = tinyModel(3);
  const explicit = tinyModel(3);
  const { optimizer: _, ...noOptimizer } = base({ epochs: 2 });
  const r = await fit(implicit, { train }, noOptimizer);
  await fit(explicit, { train }, base({ epochs: 2, optimizer: { name: "adamw", lr: 1e-3 } }));
  assert.equal(r.history.length, 2);
  assert.equal(r.history[0].lr, 1e-3);
  assert.equal(maxAbsDiff(await weightsOf(implicit), await weightsOf(explicit)), 0);
  [implicit, explicit].forEach((m) => m.dispose());
  tf.dispose([train.x, train.y]);
});

test("same seed → identical history; another seed → a different one; no tensors leak", async () => {
  const train = tinyData(1, 40);
  const val = tinyData(2, 16);
  const run = async (seed: number) => {
    const model = tinyModel(3, { conv: true });
    const r = await fit(model, { train, val }, base({ seed, microBatchSize: 3, scheduler: { type: "cosine", warmup: { steps: 2 } } }));
    model.dispose();
    return r.history;
  };
  await run(5); // warm kernels
  const n0 = tf.memory().numTensors;
  const a = await run(5);
  assert.equal(tf.memory().numTensors, n0);
  const b = await run(5);
  const c = await run(6);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  tf.dispose([train.x, train.y, val.x, val.y]);
});

test("resume after an interruption reaches the same weights as an uninterrupted run", async () => {
  const train = tinyData(1, 40);
  const val = tinyData(2, 16);
  const opts = base({ epochs: 4, microBatchSize: 4, scheduler: { type: "cosine", minLr: 0.001, warmup: { steps: 3 } }, optimizer: { name: "adamw", lr: 0.02, weightDecay: 0.05 } });

  const straight = tinyModel(3);
  const esStraight = earlyStopping({ patience: 100, mode: "max" });
  const rs = await fit(straight, { train, val }, { ...opts, callbacks: [esStraight] });

  const dir = path.join(tmp(), LAST_DIR);
  const crashing = tinyModel(3);
  const crash: Callback = {
    onEpochBegin(epoch) {
      if (epoch === 2) throw new Error("simulated power cut");
    },
  };
  await assert.rejects(fit(crashing, { train, val }, { ...opts, callbacks: [earlyStopping({ patience: 100, mode: "max" }), lastCheckpoint({ dir: path.dirname(dir) }), crash] }), /power cut/);
  assert.ok(hasCheckpoint(dir));
  assert.ok(!hasCheckpoint(path.join(path.dirname(dir), "nothing-here")));
  assert.equal(readCheckpoint<{ epoch: number }>(dir).file.meta.epoch, 1);

  const resumed = tinyModel(42); // a different init: everything must come from the checkpoint
  const esResumed = earlyStopping({ patience: 100, mode: "max" });
  const rr = await fit(resumed, { train, val }, { ...opts, resumeFrom: dir, callbacks: [esResumed] });
  assert.equal(rr.resumedAfterEpoch, 1);
  assert.equal(rr.epochsRun, 2);
  const diff = maxAbsDiff(await weightsOf(straight), await weightsOf(resumed));
  assert.ok(diff <= 1e-6, `max |Δw| = ${diff}`);
  assert.deepEqual(rr.history, rs.history);
  // Callback state travelled through the checkpoint. mode "max" on val_loss puts the "best" in
  // the first run's epochs, so a resumed callback without restored state would differ.
  assert.ok(esStraight.state.bestEpoch < 2, `bestEpoch ${esStraight.state.bestEpoch}`);
  assert.deepEqual(esResumed.getState?.(), esStraight.getState?.());
  await assert.rejects(fit(tinyModel(3), { train, val }, { ...opts, seed: 6, resumeFrom: dir }), /trained with seed 5 but this run uses 6/);
  [straight, crashing, resumed].forEach((m) => m.dispose());
  tf.dispose([train.x, train.y, val.x, val.y]);
});

test("callback hooks run in order; a listener returning 'stop' ends training (HPO pruning)", async () => {
  const train = tinyData(1, 24);
  const calls: string[] = [];
  const spy: Callback = {
    onTrainBegin: () => void calls.push("trainBegin"),
    onEpochBegin: (e) => void calls.push(`epochBegin${e}`),
    onBatchEnd: (b, logs) => {
      calls.push(`batch${b}`);
      assert.ok(Number.isFinite(logs.loss) && logs.size === 8);
    },
    onEpochEnd: (e) => void calls.push(`epochEnd${e}`),
    onTrainEnd: (h) => void calls.push(`trainEnd${h.length}`),
  };
  const seen: number[] = [];
  const prune = listenerCallback((epoch, logs) => {
    seen.push(logs.loss);
    return epoch === 1 ? "stop" : undefined;
  });
  const model = tinyModel(1);
  const r = await fit(model, { train }, base({ epochs: 5, callbacks: [spy, prune] }));
  assert.equal(r.history.length, 2);
  assert.ok(r.stopped);
  assert.deepEqual(seen, r.history.map((h) => h.loss));
  assert.deepEqual(calls, ["trainBegin", "epochBegin0", "batch0", "batch1", "batch2", "epochEnd0", "epochBegin1", "batch0", "batch1", "batch2", "epochEnd1", "trainEnd2"]);
  model.dispose();
  tf.dispose([train.x, train.y]);
});

test("bestCheckpoint keeps the epoch with the lowest val_loss; history is written as CSV and JSON", async () => {
  const train = tinyData(1, 32);
  const val = tinyData(2, 16);
  const root = tmp();
  const best = bestCheckpoint({ dir: path.join(root, "best") });
  const model = tinyModel(4);
  const r = await fit(model, { train, val }, base({ epochs: 4, callbacks: [best, historyLogger({ dir: root })], optimizer: { name: "sgd", lr: 0.5, momentum: 0.9 } }));
  const losses = r.history.map((h) => h.val_loss);
  const argmin = losses.indexOf(Math.min(...losses));
  assert.equal(best.state.bestEpoch, argmin);
  const ckpt = readCheckpoint<{ epoch: number; best?: { epoch: number } }>(path.join(root, "best"));
  assert.equal(ckpt.file.meta.epoch, argmin);
  // The saved weights really are that epoch's: their val loss reproduces the history value.
  const probe = tinyModel(4);
  restoreModelWeights(probe, ckpt);
  const ev = await evaluate(probe, arrayBatches(val.x, val.y, 8), { loss: createLoss("cross-entropy"), task: "multiclass" });
  assert.ok(Math.abs(ev.loss - losses[argmin]) < 1e-6, `${ev.loss} vs ${losses[argmin]}`);
  // History files
  assert.equal(fs.readFileSync(path.join(root, "history.csv"), "utf8"), historyToCsv(r.history));
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(root, "history.json"), "utf8")), r.history);
  const rows = fs.readFileSync(path.join(root, "history.csv"), "utf8").trim().split("\n");
  const header = rows[0].split(",");
  assert.equal(rows.length, 5);
  assert.equal(Number(rows[2].split(",")[header.indexOf("val_loss")]), r.history[1].val_loss);
  [model, probe].forEach((m) => m.dispose());
  tf.dispose([train.x, train.y, val.x, val.y]);
});

test("early stopping stops after `patience` epochs without improvement and restores the best weights", async () => {
  // Direct drive with scripted logs: weights are set per epoch so the restore is checkable.
  const model = tinyModel(1);
  const es = earlyStopping({ monitor: "val_loss", patience: 2, restoreBestWeights: true });
  const ctx = { model, history: [], stopTraining: false } as unknown as TrainContext;
  const script = [0.9, 0.5, 0.6, 0.7, 0.4];
  const stamp = (v: number) => model.setWeights(model.getWeights().map((w) => tf.fill(w.shape, v)));
  const results: unknown[] = [];
  for (let e = 0; e < script.length; e++) {
    stamp(e);
    results.push(es.onEpochEnd?.(e, { epoch: e, lr: 0, val_loss: script[e] }, ctx));
    if (results[e] === "stop") break;
  }
  assert.deepEqual(results, [undefined, undefined, undefined, "stop"]);
  assert.equal(es.state.bestEpoch, 1);
  const n0 = tf.memory().numTensors;
  await es.onTrainEnd?.([], ctx);
  assert.ok(model.getWeights().every((w) => w.dataSync().every((v) => v === 1)), "weights of epoch 1 restored");
  assert.ok(tf.memory().numTensors < n0, "kept best weights were released");

  // In fit: lr = 0 never improves the monitored train loss beyond epoch 0.
  const train = tinyData(1, 16);
  const m2 = tinyModel(2);
  const r = await fit(m2, { train }, base({ epochs: 10, optimizer: { name: "sgd", lr: 0 }, callbacks: [earlyStopping({ monitor: "loss", patience: 2, minDelta: 1e-6 })] }));
  assert.equal(r.history.length, 3);
  assert.ok(r.stopped);
  [model, m2].forEach((m) => m.dispose());
  tf.dispose([train.x, train.y]);
});

test("progress bar gets per-batch loss/accuracy and the epoch summary", async () => {
  const train = tinyData(1, 24);
  const states: ProgressState[] = [];
  const model = tinyModel(1);
  await fit(model, { train }, base({ epochs: 2, progress: (s) => states.push({ ...s, values: { ...s.values } }), label: "neu" }));
  const labels = [...new Set(states.map((s) => s.label))];
  assert.deepEqual(labels, ["neu epoch 1/2", "neu epoch 2/2"]);
  const last = states.filter((s) => s.label === "neu epoch 2/2").pop() as ProgressState;
  assert.ok(last.finished && last.current === 3 && last.total === 3);
  assert.ok(typeof last.values.loss === "number" && typeof last.values.accuracy === "number" && typeof last.values.acc === "number");
  model.dispose();
  tf.dispose([train.x, train.y]);
});

test("fit accepts a BatchSource, multilabel and segmentation tasks, class weights by name", async () => {
  const { x, labels } = tinyData(3, 24);
  const multi = tf.tensor2d(labels.map((l) => [l === 0 ? 1 : 0, l === 1 ? 1 : 0, l !== 1 ? 1 : 0]));
  const src = arrayBatches(x, multi, 8, createRng(1, "s"));
  const m1 = tinyModel(1, { activation: "sigmoid" });
  const r1 = await fit(m1, { train: src, val: src }, base({ epochs: 2, loss: "bce", lossOptions: { posWeight: [1, 2, 1] } }));
  assert.equal(r1.task, "multilabel");
  assert.ok("val_microF1" in r1.history[1]);

  const seg = tf.sequential();
  seg.add(tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 3, padding: "same", activation: "sigmoid", kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  const masks = tf.tidy(() => tf.concat([tf.greater(x, 0.5), tf.greater(x, 1.5)], 3).toFloat());
  const r2 = await fit(seg, { train: { x, y: masks } }, base({ epochs: 2, loss: "bce-dice" }));
  assert.equal(r2.task, "segmentation");
  assert.ok(r2.history[1].dice > 0 && r2.history[1].dice <= 1);

  const y3 = tf.oneHot(tf.tensor1d(labels, "int32"), 3).toFloat();
  const m3 = tinyModel(2);
  const r3 = await fit(m3, { train: { x, y: y3 } }, base({ epochs: 1, classWeights: [1, 5, 1] }));
  assert.equal(r3.lossName, "cross-entropy");
  await assert.rejects(fit(m3, { train: { x, y: y3 } }, base({ loss: "bce", classWeights: [1, 2, 3] })), /classWeights apply to cross-entropy and focal/);
  await assert.rejects(fit(m3, { train: { x, y: y3 } }, base({ scheduler: { type: "plateau" } })), /monitors "val_loss"/);
  [m1, seg, m3].forEach((m) => m.dispose());
  tf.dispose([x, multi, masks, y3]);
});

test("fitTwoStage freezes the chosen layers for the head stage, then fine-tunes all at lr/10", async () => {
  const train = tinyData(1, 32);
  const model = tinyModel(6, { conv: true });
  const layerWeights = async (i: number) => Promise.all(model.layers[i].getWeights().map(async (w) => (await w.data()) as Float32Array));
  const conv0 = await layerWeights(0);
  const head0 = await layerWeights(3);
  const r = await fitTwoStage(model, { train }, {
    head: base({ epochs: 2, optimizer: { name: "adamw", lr: 0.02 } }),
    finetune: { epochs: 2, batchSize: 8, seed: 5, progress: false },
    freezeFn: (layer) => layer.getClassName() === "Conv2D",
  });
  assert.deepEqual(r.frozen, [model.layers[0].name]);
  assert.equal(r.head.history.length, 2);
  assert.equal(r.finetune.history[0].lr, 0.002);
  assert.ok(model.layers[0].trainable, "trainable flags restored");
  // The head stage did not touch the conv layer but moved the head…
  const probe = tinyModel(6, { conv: true });
  const headOnly = await fit(probe, { train }, base({ epochs: 2, optimizer: { name: "adamw", lr: 0.02 }, callbacks: [{ onTrainBegin: (ctx) => void (ctx.model.layers[0].trainable = false) }] }));
  assert.deepEqual(headOnly.history, r.head.history);
  assert.equal(maxAbsDiff(conv0, await Promise.all(probe.layers[0].getWeights().map(async (w) => (await w.data()) as Float32Array))), 0);
  // …and fine-tuning then moved it.
  assert.ok(maxAbsDiff(conv0, await layerWeights(0)) > 1e-4);
  assert.ok(maxAbsDiff(head0, await layerWeights(3)) > 1e-4);
  [model, probe].forEach((m) => m.dispose());
  tf.dispose([train.x, train.y]);
});
