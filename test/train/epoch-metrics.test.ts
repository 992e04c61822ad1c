import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { EpochMetrics } from "../../src/lib/train/epoch-metrics";

before(async () => {
  await tf.setBackend("cpu");
});

/**
 * Hand-made masks [N=1, H=1, W=4, C=2] per batch; predictions are probabilities (threshold 0.5).
 * Dice per (image, class) = 2|P∩T| / (|P| + |T|), empty/empty = 1:
 *   batch 1, class 0: T 1110, P 1000 → 2·1/(1+3) = 0.5     class 1: T 0000, P 0000 → 1
 *   batch 2, class 0: T 1100, P 1011 → 2·1/(3+2) = 0.4     class 1: T 0000, P 0100 → 0
 * epoch Dice = mean = (0.5 + 1 + 0.4 + 0) / 4 = 0.475. Pred/true sums differ everywhere, so a
 * formula that uses one sum twice gives another number.
 */
function maskBatch(t: number[][], p: number[][]): { y: tf.Tensor4D; pred: tf.Tensor4D } {
  // t[c][w], p[c][w] → [1, 1, 4, 2] with channel last
  const interleave = (m: number[][]) => m[0].flatMap((_, w) => [m[0][w], m[1][w]]);
  return { y: tf.tensor4d(interleave(t), [1, 1, 4, 2]), pred: tf.tensor4d(interleave(p), [1, 1, 4, 2]) };
}

test("segmentation Dice in the epoch metrics equals the hand-computed per-image/class mean", () => {
  const m = new EpochMetrics("segmentation", 0.5);
  const b1 = maskBatch(
    [
      [1, 1, 1, 0],
      [0, 0, 0, 0],
    ],
    [
      [0.9, 0.2, 0.4, 0.1],
      [0.3, 0.0, 0.49, 0.1],
    ],
  );
  const b2 = maskBatch(
    [
      [1, 1, 0, 0],
      [0, 0, 0, 0],
    ],
    [
      [0.8, 0.3, 0.6, 0.51],
      [0.1, 0.7, 0.2, 0.0],
    ],
  );
  const n0 = tf.memory().numTensors;
  m.add(b1.y, b1.pred, 0.2, 1);
  assert.ok(Math.abs(m.runningScore().value - 0.75) < 1e-12, `after batch 1: ${m.runningScore().value}`);
  m.add(b2.y, b2.pred, 0.4, 1);
  assert.equal(tf.memory().numTensors, n0);
  const r = m.result("val_");
  assert.ok(Math.abs(r.val_dice - 0.475) < 1e-12, `dice ${r.val_dice}`);
  assert.ok(Math.abs(r.val_loss - 0.3) < 1e-12);
  // Logit threshold 0: the same masks as logits (p − 0.5) give the same Dice.
  const logits = new EpochMetrics("segmentation", 0);
  logits.add(b1.y, tf.sub(b1.pred, 0.5), 0, 1);
  logits.add(b2.y, tf.sub(b2.pred, 0.5), 0, 1);
  assert.ok(Math.abs(logits.result().dice - 0.475) < 1e-7);
  tf.dispose([b1.y, b1.pred, b2.y, b2.pred]);
});
