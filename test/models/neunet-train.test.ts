/**
 * neu-net through the shared trainer with the NEU recipe's pieces (one-cycle AdamW, label
 * smoothing): it fits a separable toy task (bright vs dark squares) and leaks no tensors.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createModel } from "../../src/lib/models/registry";
import { fit } from "../../src/lib/train/trainer";

before(async () => {
  await tf.setBackend("cpu");
});

test("neu-net trains with one-cycle AdamW + label smoothing: loss falls, lr follows the cycle, no leaks", async () => {
  const n = 16;
  const H = 16;
  // Class 1: a bright square in the top-left quarter; class 0: in the bottom-right. Input is
  // standardised per image by the model, so brightness alone would not separate them.
  const x = new Float32Array(n * H * H);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 2;
    labels.push(k);
    for (let r = 0; r < H; r++) for (let c = 0; c < H; c++) {
      const inside = k === 1 ? r < 8 && c < 8 : r >= 8 && c >= 8;
      x[i * H * H + r * H + c] = inside ? 0.9 : 0.1 + 0.01 * ((r * 7 + c * 3 + i) % 5);
    }
  }
  const xs = tf.tensor4d(x, [n, H, H, 1]);
  const ys = tf.oneHot(tf.tensor1d(labels, "int32"), 2).toFloat();
  const model = createModel("neu-net", { inputShape: [H, H, 1], classes: 2, seed: 3, head: { dropout: 0.2 } });
  const before0 = tf.memory().numTensors;
  const r = await fit(model, { train: { x: xs, y: ys } }, {
    epochs: 6,
    batchSize: 8,
    seed: 1,
    progress: false,
    optimizer: { name: "adamw", lr: 3e-3, weightDecay: 1e-2 },
    scheduler: { type: "one-cycle", pctStart: 0.25 },
    loss: "cross-entropy",
    lossOptions: { labelSmoothing: 0.1 },
  });
  const h = r.history;
  assert.equal(h.length, 6);
  assert.ok(h[5].loss < h[0].loss, `loss ${h[0].loss} → ${h[5].loss}`);
  // The epoch-0 lr is near max/25 and the last near max/25/1e4 (rising then falling).
  assert.ok(h[0].lr < 3e-3 && h[5].lr < h[0].lr, `lr ${h.map((e) => e.lr).join(", ")}`);
  assert.ok(Math.max(...h.map((e) => e.lr)) > 0.5 * 3e-3);
  assert.equal(tf.memory().numTensors, before0, "fit leaked tensors");
  xs.dispose();
  ys.dispose();
  model.dispose();
});
