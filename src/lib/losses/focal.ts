/**
 * Focal loss (Lin et al. 2017): down-weights easy examples by (1 − p_t)^γ.
 *  - binary (sigmoid, torchvision.ops.sigmoid_focal_loss, mean): per element
 *      FL = α_t · (1 − p_t)^γ · BCE,  p_t = p·y + (1 − p)(1 − y),  α_t = α·y + (1 − α)(1 − y)
 *    α = null disables the α term. Shapes [N, C] or [N, H, W, C].
 *  - multiclass (softmax): per sample FL = −α_y · (1 − p_y)^γ · log p_y, mean over samples.
 *    α: one number for all classes or one per class; omitted = 1. Shapes [N, C] one-hot.
 * With γ = 0 and no α, both reduce to plain (binary) cross-entropy.
 */
import * as tf from "@tensorflow/tfjs";
import { bceElementwise } from "./bce";
import { PROB_EPSILON, LossFn, batchSizeOf, checkPerClass, checkSameShape, defineLoss } from "./types";

export interface BinaryFocalOptions {
  gamma?: number;
  /** Weight of positives in [0, 1]; default 0.25 (torchvision); null = no α term. */
  alpha?: number | null;
  fromLogits?: boolean;
}

export interface FocalOptions {
  gamma?: number;
  /** Per-class α_c (length C) or one value; default none. */
  alpha?: number | readonly number[];
  fromLogits?: boolean;
  epsilon?: number;
}

export function binaryFocal(yTrue: tf.Tensor, yPred: tf.Tensor, options: BinaryFocalOptions = {}): tf.Scalar {
  const gamma = options.gamma ?? 2;
  const alpha = options.alpha === undefined ? 0.25 : options.alpha;
  if (alpha !== null && !(alpha >= 0 && alpha <= 1)) throw new Error(`binaryFocal: alpha must be in [0, 1] or null, got ${alpha}`);
  return tf.tidy(() => {
    const y = yTrue.toFloat();
    const ce = bceElementwise(y, yPred, { fromLogits: options.fromLogits });
    const p = options.fromLogits ? tf.sigmoid(yPred) : yPred;
    const pt = tf.add(tf.mul(p, y), tf.mul(tf.sub(1, p), tf.sub(1, y)));
    let loss = tf.mul(ce, tf.pow(tf.sub(1, pt), gamma));
    if (alpha !== null) loss = tf.mul(loss, tf.add(tf.mul(y, alpha), tf.mul(tf.sub(1, y), 1 - alpha)));
    return tf.mean(loss) as tf.Scalar;
  });
}

export function focal(yTrue: tf.Tensor, yPred: tf.Tensor, options: FocalOptions = {}): tf.Scalar {
  checkSameShape("focal", yTrue, yPred);
  const gamma = options.gamma ?? 2;
  const C = yPred.shape[yPred.shape.length - 1];
  if (Array.isArray(options.alpha)) checkPerClass("focal", "alpha", options.alpha as number[], C);
  return tf.tidy(() => {
    const pred2 = yPred.reshape([-1, C]);
    const logp = options.fromLogits ? tf.logSoftmax(pred2) : tf.log(tf.clipByValue(pred2, options.epsilon ?? PROB_EPSILON, 1));
    const onehot = tf.oneHot(tf.argMax(yTrue.reshape([-1, C]), 1), C).toFloat();
    const logpy = tf.sum(tf.mul(onehot, logp), 1);
    const py = tf.exp(logpy);
    let loss = tf.mul(tf.neg(logpy), tf.pow(tf.sub(1, py), gamma));
    if (options.alpha !== undefined) {
      const a = typeof options.alpha === "number" ? tf.fill([C], options.alpha) : tf.tensor1d(options.alpha as number[]);
      loss = tf.mul(loss, tf.sum(tf.mul(onehot, a), 1));
    }
    return tf.mean(loss) as tf.Scalar;
  });
}

export function binaryFocalLoss(options: BinaryFocalOptions = {}): LossFn {
  return defineLoss("binary-focal", (t, p) => binaryFocal(t, p, options), { normalizer: batchSizeOf, fromLogits: options.fromLogits });
}

export function focalLoss(options: FocalOptions = {}): LossFn {
  // Normaliser: rows of the flattened [M, C] view (pixels for masks), matching the mean.
  return defineLoss("focal", (t, p) => focal(t, p, options), {
    normalizer: (t) => t.size / t.shape[t.shape.length - 1],
    fromLogits: options.fromLogits,
  });
}
