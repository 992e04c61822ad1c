import { before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as tf from "@tensorflow/tfjs";
import { lovaszHinge, lovaszHingePerImageClass } from "../../src/lib/losses/lovasz";
import { createLoss } from "../../src/lib/losses/registry";

before(async () => {
  await tf.setBackend("cpu");
});

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);
const val = (t: tf.Scalar) => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};

// One image, 1×4 pixels, 2 classes (channel-last).
//  class 0: logits [2, −1, 0.5, −3], labels [1, 0, 0, 1]
//    errors 1 − x·(2y−1) = [−1, 0, 1.5, 4]; sorted desc [4, 1.5, 0, −1], labels sorted [1, 0, 0, 1]
//    gts 2; inter = 2 − cumsum = [1, 1, 1, 0]; union = 2 + cumsum(1−y) = [2, 3, 4, 4]
//    jaccard = [1/2, 2/3, 3/4, 1] → grad [1/2, 1/6, 1/12, 1/4]; loss = 4·1/2 + 1.5·1/6 = 2.25
//  class 1: logits [0.2, −0.4, 1, 0], labels all 0 (empty mask)
//    errors 1 + x = [1.2, 0.6, 2, 1]; grad [1, 0, 0, 0] → loss = relu(max) = 2
const logits = [[[[2, 0.2], [-1, -0.4], [0.5, 1], [-3, 0]]]];
const labels = [[[[1, 0], [0, 0], [0, 0], [1, 0]]]];

test("Lovász hinge per image and class vs the hand-computed value (partial and empty masks)", () => {
  const x = tf.tensor4d(logits);
  const y = tf.tensor4d(labels);
  const per = lovaszHingePerImageClass(y, x);
  const v = per.arraySync();
  close(v[0][0], 2.25);
  close(v[0][1], 2);
  close(val(lovaszHinge(y, x)), (2.25 + 2) / 2);
  // Gradient w.r.t. the logits of class 0: ∂/∂x_i = −(2y_i − 1)·g_i where the error is positive.
  // pixel 3 (error 4, g 1/2, y 1) → −1/2; pixel 2 (1.5, 1/6, y 0) → +1/6; pixels 1, 0 (errors ≤ 0) → 0; mean over 2 pairs → ×1/2.
  const beforeGrad = tf.memory().numTensors;
  const gt = tf.grad((t: tf.Tensor) => lovaszHinge(y, t))(x);
  assert.equal(tf.memory().numTensors, beforeGrad + 1, "the gradient is the only tensor left");
  const g = gt.arraySync() as number[][][][];
  gt.dispose();
  [0, 0, 1 / 12, -1 / 4].forEach((e, i) => close(g[0][0][i][0], e));
  // Class 1: only the max error (pixel 2, y 0) gets gradient 1 → +1/2.
  [0, 0, 1 / 2, 0].forEach((e, i) => close(g[0][0][i][1], e));
  const before = tf.memory().numTensors;
  val(createLoss("lovasz")(y, x));
  assert.equal(tf.memory().numTensors, before, "no tensor leak");
  assert.equal(createLoss("lovasz-hinge").fromLogits, true);
  assert.throws(() => createLoss("lovasz-hinge", { fromLogits: false }), /logits only/);
  assert.throws(() => lovaszHinge(tf.tensor2d([[1]]), tf.tensor2d([[1]])), /expected masks/);
  tf.dispose([per, x, y]);
});

test("segmentation losses on masks by name: dice on logits, BCE + Dice with posWeight (hand-computed)", () => {
  // One image, 1×2 pixels, 1 class: logits [0, ln 3] → p [0.5, 0.75]; labels [1, 0].
  const x = tf.tensor4d([[[[0], [Math.log(3)]]]]);
  const y = tf.tensor4d([[[[1], [0]]]]);
  // Dice (s = 1): (2·0.5 + 1) / (1.25 + 1 + 1) = 2 / 3.25
  const dice = 2 / 3.25;
  close(val(createLoss("dice", { fromLogits: true })(y, x)), 1 - dice);
  // BCE with posWeight 2: pixel 0: −2·ln 0.5 = 2 ln 2; pixel 1: −ln(0.25) = 2 ln 2 → mean 2 ln 2
  close(val(createLoss("bce", { fromLogits: true, posWeight: [2] })(y, x)), 2 * Math.log(2));
  close(val(createLoss("bce-dice", { fromLogits: true, posWeight: [2] })(y, x)), 2 * Math.log(2) + 1 - dice);
  // Binary focal (γ 2, α 0.25): pixel 0: 0.25·0.5²·ln 2; pixel 1: 0.75·0.75²·(−ln 0.25) → mean
  const f = (0.25 * 0.25 * Math.log(2) + 0.75 * 0.5625 * 2 * Math.log(2)) / 2;
  close(val(createLoss("binary-focal", { fromLogits: true })(y, x)), f);
  tf.dispose([x, y]);
});

test("Lovász hinge and its gradient equal Berman's PyTorch reference on random masks (skipped without torch)", (t) => {
  const N = 2, H = 3, W = 5, C = 2;
  const xs = Array.from({ length: N * H * W * C }, (_, i) => Math.sin(i * 1.7) * 2);
  const ys = Array.from({ length: N * H * W * C }, (_, i) => (Math.cos(i * 2.3) > 0.3 ? 1 : 0));
  // lovasz_hinge_flat / lovasz_grad as in github.com/bermanmaxim/LovaszSoftmax (pytorch/lovasz_losses.py), per (image, class).
  const py = `
import json, sys, torch
d = json.load(sys.stdin)
x = torch.tensor(d["x"], dtype=torch.float64).reshape(${N}, ${H}*${W}, ${C}).requires_grad_()
y = torch.tensor(d["y"], dtype=torch.float64).reshape(${N}, ${H}*${W}, ${C})
def grad(gt):
    gts = gt.sum(); inter = gts - gt.cumsum(0); union = gts + (1 - gt).cumsum(0)
    j = 1. - inter / union
    j[1:] = j[1:] - j[:-1]
    return j
def flat(l, g):
    e = 1. - l * (2. * g - 1.)
    es, perm = torch.sort(e, dim=0, descending=True)
    return torch.dot(torch.relu(es), grad(g[perm]))
loss = torch.stack([flat(x[n, :, c], y[n, :, c]) for n in range(${N}) for c in range(${C})]).mean()
loss.backward()
print(json.dumps({"loss": loss.item(), "grad": x.grad.reshape(-1).tolist()}))
`;
  const r = spawnSync("/usr/bin/python3", ["-c", py], { input: JSON.stringify({ x: xs, y: ys }), encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) return t.skip(`torch reference unavailable: ${(r.stderr ?? "").split("\n").filter(Boolean).pop()}`);
  const ref = JSON.parse(r.stdout) as { loss: number; grad: number[] };
  const x = tf.tensor4d(xs, [N, H, W, C]);
  const y = tf.tensor4d(ys, [N, H, W, C]);
  close(val(lovaszHinge(y, x)), ref.loss);
  const g = tf.grad((v: tf.Tensor) => lovaszHinge(y, v))(x);
  Array.from(g.dataSync()).forEach((v, i) => close(v, ref.grad[i]));
  tf.dispose([x, y, g]);
});
