/**
 * Binary cross-entropy with PyTorch BCEWithLogitsLoss semantics, mean over every element:
 *   l = −[ p_c · y · log σ(x) + (1 − y) · log(1 − σ(x)) ]
 * `posWeight` (length C, per class on the last axis) up-weights positives, e.g. n_neg / n_pos.
 * Logits use the stable form (1 − y)·x + (1 + (p_c − 1)·y)·(log(1 + e^{−|x|}) + max(−x, 0)).
 *
 * Shapes: yTrue multi-hot [N, C] or masks [N, H, W, C]; yPred the same, probabilities
 * (default, clipped) or logits (`fromLogits: true`).
 */
import * as tf from "@tensorflow/tfjs";
import { PROB_EPSILON, LossFn, batchSizeOf, checkPerClass, checkSameShape, defineLoss } from "./types";

export interface BceOptions {
  fromLogits?: boolean;
  /** Per-class positive weight (length C). */
  posWeight?: readonly number[];
  epsilon?: number;
}

/** Element-wise BCE [same shape as yPred] (no reduction). */
export function bceElementwise(yTrue: tf.Tensor, yPred: tf.Tensor, options: BceOptions = {}): tf.Tensor {
  checkSameShape("binaryCrossEntropy", yTrue, yPred);
  const C = yPred.shape[yPred.shape.length - 1];
  checkPerClass("binaryCrossEntropy", "posWeight", options.posWeight, C);
  return tf.tidy(() => {
    const y = yTrue.toFloat();
    const pw = options.posWeight ? tf.tensor1d(options.posWeight as number[]) : tf.scalar(1);
    if (options.fromLogits) {
      const x = yPred;
      const logWeight = tf.add(tf.mul(tf.sub(pw, 1), y), 1);
      const softplusNeg = tf.add(tf.log1p(tf.exp(tf.neg(tf.abs(x)))), tf.relu(tf.neg(x)));
      return tf.add(tf.mul(tf.sub(1, y), x), tf.mul(logWeight, softplusNeg));
    }
    const eps = options.epsilon ?? PROB_EPSILON;
    const p = tf.clipByValue(yPred, eps, 1 - eps);
    return tf.neg(tf.add(tf.mul(tf.mul(pw, y), tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))));
  });
}

export function binaryCrossEntropy(yTrue: tf.Tensor, yPred: tf.Tensor, options: BceOptions = {}): tf.Scalar {
  return tf.tidy(() => tf.mean(bceElementwise(yTrue, yPred, options)) as tf.Scalar);
}

export function bceLoss(options: BceOptions = {}): LossFn {
  return defineLoss("bce", (t, p) => binaryCrossEntropy(t, p, options), { normalizer: batchSizeOf, fromLogits: options.fromLogits });
}
