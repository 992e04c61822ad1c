import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { crossEntropy, crossEntropyLoss } from "../../src/lib/losses/cross-entropy";
import { binaryCrossEntropy } from "../../src/lib/losses/bce";
import { binaryFocal, focal } from "../../src/lib/losses/focal";
import { bceDiceValue, diceLossValue, softDice } from "../../src/lib/losses/dice";
import { createLoss, LOSS_NAMES } from "../../src/lib/losses/registry";

before(async () => {
  await tf.setBackend("cpu");
});

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
const val = (t: tf.Scalar) => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const logSoftmax = (row: number[]) => {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
};
const oneHot = (labels: number[], C: number) => labels.map((l) => Array.from({ length: C }, (_, c) => (c === l ? 1 : 0)));

/** PyTorch F.cross_entropy(input, target, weight, label_smoothing), reduction="mean", written out per ATen. */
function torchCrossEntropy(logits: number[][], target: number[], weight?: number[], ls = 0): number {
  const C = logits[0].length;
  const w = weight ?? new Array(C).fill(1);
  let nllNum = 0;
  let den = 0;
  let smooth = 0;
  logits.forEach((row, i) => {
    const lp = logSoftmax(row);
    nllNum += -w[target[i]] * lp[target[i]];
    den += w[target[i]];
    smooth += -lp.reduce((a, v, c) => a + v * w[c], 0);
  });
  return (1 - ls) * (nllNum / den) + (ls / C) * (smooth / den);
}

test("cross-entropy on logits: the textbook value F.cross_entropy([[1,2,3]], [2]) = 0.40761", () => {
  close(val(crossEntropy(tf.tensor2d([[0, 0, 1]]), tf.tensor2d([[1, 2, 3]]), { fromLogits: true })), 0.40760596);
});

test("weighted cross-entropy = Σ w_y·nll / Σ w_y (PyTorch), with and without label smoothing", () => {
  const logits = [
    [2.0, -1.0, 0.5],
    [0.1, 0.3, -0.2],
    [-1.5, 2.5, 0.0],
    [0.7, 0.7, 0.7],
    [1.2, -0.4, 3.1],
  ];
  const target = [0, 2, 1, 1, 0];
  const w = [0.2, 1.0, 3.0];
  const yt = tf.tensor2d(oneHot(target, 3));
  const x = tf.tensor2d(logits);
  for (const ls of [0, 0.1, 0.3]) {
    const got = val(crossEntropy(yt, x, { fromLogits: true, classWeights: w, labelSmoothing: ls }));
    close(got, torchCrossEntropy(logits, target, w, ls));
    close(val(crossEntropy(yt, x, { fromLogits: true, labelSmoothing: ls })), torchCrossEntropy(logits, target, undefined, ls));
  }
  // The weighted mean is NOT the mean of weighted losses (a common bug): check they differ here.
  const naive = logits.reduce((a, row, i) => a - w[target[i]] * logSoftmax(row)[target[i]], 0) / logits.length;
  assert.ok(Math.abs(torchCrossEntropy(logits, target, w) - naive) > 1e-3);
  // probabilities input gives the same as logits through softmax
  const probs = tf.softmax(x);
  close(val(crossEntropy(yt, probs, { classWeights: w })), torchCrossEntropy(logits, target, w), 1e-5);
  tf.dispose([yt, x, probs]);
});

test("cross-entropy normaliser makes micro-batch recombination exact", () => {
  const logits = [[1, 0, 0], [0, 2, 0], [0, 0, 3], [1, 1, 0], [0.5, 0, 1], [2, 2, 2]];
  const target = [0, 1, 2, 2, 1, 0];
  const loss = crossEntropyLoss({ fromLogits: true, classWeights: [1, 4, 0.5] });
  const yt = tf.tensor2d(oneHot(target, 3));
  const x = tf.tensor2d(logits);
  const full = val(loss(yt, x));
  const parts = [[0, 2], [2, 3], [5, 1]].map(([s, n]) => {
    const a = yt.slice([s, 0], [n, 3]);
    const b = x.slice([s, 0], [n, 3]);
    const r = { l: val(loss(a, b)), w: (loss.normalizer as (t: tf.Tensor) => number)(a) };
    tf.dispose([a, b]);
    return r;
  });
  const W = parts.reduce((s, p) => s + p.w, 0);
  close(parts.reduce((s, p) => s + (p.w / W) * p.l, 0), full, 1e-6);
  close(W, 1 + 4 + 0.5 + 0.5 + 4 + 1, 1e-6);
  tf.dispose([yt, x]);
});

test("BCE with posWeight = PyTorch BCEWithLogitsLoss, on logits and on probabilities", () => {
  const logits = [
    [1.5, -0.3, 0.0, 4.0],
    [-2.0, 0.8, -1.2, -6.0],
  ];
  const y = [
    [1, 0, 1, 0],
    [0, 1, 1, 0],
  ];
  const pw = [2.0, 0.5, 1.0, 3.0];
  let ref = 0;
  logits.forEach((row, i) =>
    row.forEach((x, c) => {
      const p = sigmoid(x);
      ref += -(pw[c] * y[i][c] * Math.log(p) + (1 - y[i][c]) * Math.log(1 - p));
    }),
  );
  ref /= 8;
  const yt = tf.tensor2d(y);
  const x = tf.tensor2d(logits);
  close(val(binaryCrossEntropy(yt, x, { fromLogits: true, posWeight: pw })), ref);
  const p = tf.sigmoid(x);
  close(val(binaryCrossEntropy(yt, p, { posWeight: pw })), ref, 1e-5);
  // stable for large logits (no Infinity / NaN)
  const big = val(binaryCrossEntropy(tf.tensor2d([[1, 0]]), tf.tensor2d([[-100, 100]]), { fromLogits: true }));
  close(big, 100, 1e-4);
  tf.dispose([yt, x, p]);
});

test("binary focal loss = torchvision sigmoid_focal_loss; γ=0 without α is BCE", () => {
  const logits = [0.5, -1.0, 2.0, -0.2, 1.1, -3.0];
  const y = [1, 0, 1, 1, 0, 0];
  const gamma = 2;
  const alpha = 0.25;
  let ref = 0;
  logits.forEach((x, i) => {
    const p = sigmoid(x);
    const ce = -(y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p));
    const pt = p * y[i] + (1 - p) * (1 - y[i]);
    const at = alpha * y[i] + (1 - alpha) * (1 - y[i]);
    ref += at * ce * Math.pow(1 - pt, gamma);
  });
  ref /= logits.length;
  const yt = tf.tensor2d([y]);
  const x = tf.tensor2d([logits]);
  close(val(binaryFocal(yt, x, { fromLogits: true, gamma, alpha })), ref);
  close(val(binaryFocal(yt, x, { fromLogits: true, gamma: 0, alpha: null })), val(binaryCrossEntropy(yt, x, { fromLogits: true })));
  tf.dispose([yt, x]);
});

test("multiclass focal loss: −α_y (1 − p_y)^γ log p_y, mean; γ=0 is cross-entropy", () => {
  const logits = [
    [2, 0, -1],
    [0.1, 0.2, 0.3],
    [-1, 3, 0],
  ];
  const target = [0, 2, 0];
  const alpha = [0.5, 1, 2];
  let ref = 0;
  logits.forEach((row, i) => {
    const lp = logSoftmax(row)[target[i]];
    ref += -alpha[target[i]] * Math.pow(1 - Math.exp(lp), 2) * lp;
  });
  ref /= 3;
  const yt = tf.tensor2d(oneHot(target, 3));
  const x = tf.tensor2d(logits);
  close(val(focal(yt, x, { fromLogits: true, gamma: 2, alpha })), ref);
  close(val(focal(yt, x, { fromLogits: true, gamma: 0 })), torchCrossEntropy(logits, target));
  tf.dispose([yt, x]);
});

test("soft Dice per image/class on masks [N,H,W,C], and BCE + Dice", () => {
  // N=2, H=1, W=2, C=2
  const p = [
    [[[0.8, 0.1], [0.6, 0.0]]],
    [[[0.2, 0.5], [0.1, 0.5]]],
  ];
  const y = [
    [[[1, 0], [0, 0]]],
    [[[0, 1], [0, 1]]],
  ];
  const s = 1;
  const dice = (pp: number[], yy: number[]) => (2 * pp.reduce((a, v, i) => a + v * yy[i], 0) + s) / (pp.reduce((a, b) => a + b, 0) + yy.reduce((a, b) => a + b, 0) + s);
  const expected = [
    [dice([0.8, 0.6], [1, 0]), dice([0.1, 0.0], [0, 0])],
    [dice([0.2, 0.1], [0, 0]), dice([0.5, 0.5], [1, 1])],
  ];
  const yt = tf.tensor4d(y);
  const yp = tf.tensor4d(p);
  const d = softDice(yt, yp, { smooth: s });
  const got = d.arraySync();
  d.dispose();
  got.forEach((row, n) => row.forEach((v, c) => close(v, expected[n][c])));
  const meanDice = expected.flat().reduce((a, b) => a + b, 0) / 4;
  close(val(diceLossValue(yt, yp)), 1 - meanDice);
  let bce = 0;
  p.flat(3).forEach((v, i) => {
    const t = y.flat(3)[i];
    const q = Math.min(Math.max(v, 1e-7), 1 - 1e-7);
    bce += -(t * Math.log(q) + (1 - t) * Math.log(1 - q));
  });
  bce /= 8;
  close(val(bceDiceValue(yt, yp, { bceWeight: 0.5, diceWeight: 2 })), 0.5 * bce + 2 * (1 - meanDice), 1e-4);
  tf.dispose([yt, yp]);
});

test("createLoss by name; unknown names, foreign options and shape mismatches are clear errors", () => {
  const yt = tf.tensor2d([[0, 1], [1, 0]]);
  const yp = tf.tensor2d([[0.3, 0.7], [0.6, 0.4]]);
  for (const name of ["cross-entropy", "bce", "focal", "binary-focal"]) {
    const l = createLoss(name);
    assert.equal(l.lossName, name);
    assert.ok(Number.isFinite(val(l(yt, yp))));
  }
  assert.equal(createLoss("ce").lossName, "cross-entropy");
  assert.ok(LOSS_NAMES.includes("bce-dice"));
  assert.throws(() => createLoss("hinge"), /unknown loss "hinge"/);
  assert.throws(() => createLoss("bce", { labelSmoothing: 0.1 }), /does not take option "labelSmoothing"/);
  assert.throws(() => createLoss("cross-entropy", { classWeights: [1, 2, 3] })(yt, yp), /3 entries but the output has 2 classes/);
  assert.throws(() => crossEntropy(tf.tensor2d([[0, 1, 0]]), yp), /does not match yPred shape/);
  tf.dispose([yt, yp]);
});

test("losses leak no tensors", () => {
  const yt = tf.tensor2d([[0, 1], [1, 0]]);
  const yp = tf.tensor2d([[0.3, 0.7], [0.6, 0.4]]);
  const before = tf.memory().numTensors;
  for (const name of ["cross-entropy", "bce", "focal", "binary-focal"]) val(createLoss(name, name === "cross-entropy" ? { classWeights: [1, 2], labelSmoothing: 0.1 } : {})(yt, yp));
  const m = tf.tensor4d([[[[0.2, 0.9]]]]);
  const mt = tf.tensor4d([[[[0, 1]]]]);
  const mid = tf.memory().numTensors;
  val(createLoss("bce-dice")(mt, m));
  assert.equal(tf.memory().numTensors, mid);
  tf.dispose([m, mt]);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([yt, yp]);
});
